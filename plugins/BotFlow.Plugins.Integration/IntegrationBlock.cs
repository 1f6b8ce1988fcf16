using BotFlow.Plugins.Integration.Body;
using BotFlow.Sdk.Blocks;
using BotFlow.Sdk.Context;
using BotFlow.Sdk.Data;
using BotFlow.Sdk.Executions;
using BotFlow.Sdk.Jobs;
using BotFlow.Sdk.Validation;

namespace BotFlow.Plugins.Integration;

/// <summary>Calls a partner REST API, maps its response into fields and variables, and answers the contact with values from it.</summary>
[BlockType("integration", DisplayName = "Integration (REST API)", Description = "Calls an external REST API and uses its response.", Category = "Integrations")]
[Exits(Success, Failure)]
public sealed class IntegrationBlock(IntegrationRunner runner) : Block<IntegrationConfig>, ITestableBlock, IBackgroundBlock
{
    public const string Success = "success", Failure = "failure";

    /// <summary>Default delays between background tries (integration-block.md).</summary>
    public static readonly IReadOnlyList<int> DefaultBackoff = [10, 60, 300, 1800, 7200];

    private static readonly HashSet<string> BodyTypes = new(StringComparer.OrdinalIgnoreCase) { "string", "number", "boolean", "null", "json" };
    private static readonly HashSet<string> AuthTypes = new(StringComparer.OrdinalIgnoreCase) { "bearer", "basic", "oauth2-client-credentials" };

    public override async ValueTask<BlockResult> RunAsync(IBlockContext<IntegrationConfig> context)
    {
        var config = context.Config;
        var executionId = ExecutionIds.New();
        var backoff = config.Retry?.BackoffSeconds is { Count: > 0 } custom ? custom : DefaultBackoff;
        if (config.RunInBackground)
        {
            // Fire and forget: the contact is not kept waiting; every try runs as a job.
            context.ScheduleBackground(new BackgroundRequest
            {
                ExecutionId = executionId, Kind = ExecutionKinds.Background, FirstAttempt = 1,
                MaxAttempts = 1 + (config.Retry?.BackgroundAttempts ?? 0), BackoffSeconds = backoff,
            });
            return BlockResult.Exit(Success);
        }

        var run = await runner.RunAsync(context, config, new IntegrationRunRequest(executionId, ExecutionKinds.Conversation, 1, config.Retry?.InlineAttempts ?? 1));
        foreach (var record in run.Records)
        {
            context.RecordExecution(record);
        }

        if (run.Outcome == Failure)
        {
            context.Logger.LogWarning("Integration {BlockId} of flow {FlowId} failed: {Error} (execution {ExecutionId})", context.BlockId, context.FlowId, run.Error, executionId);
            if (run.Retryable && config.Retry?.BackgroundAttempts is > 0 and var attempts)
            {
                // The contact takes the failure branch now; a job keeps trying and delivers the message when one succeeds.
                context.ScheduleBackground(new BackgroundRequest
                {
                    ExecutionId = executionId, Kind = ExecutionKinds.Background, FirstAttempt = run.LastAttempt + 1, MaxAttempts = attempts, BackoffSeconds = backoff,
                });
            }
        }

        return BlockResult.Exit(run.Outcome);
    }

    public async ValueTask<BackgroundTryResult> RunBackgroundTryAsync(IBlockContext context, BackgroundTry backgroundTry) =>
        await RunTryAsync(runner, context, (IntegrationConfig)context.Config, backgroundTry);

    /// <summary>One background try of an integration config (shared with the schedule block).</summary>
    internal static async Task<BackgroundTryResult> RunTryAsync(IntegrationRunner runner, IBlockContext context, IntegrationConfig config, BackgroundTry backgroundTry)
    {
        var run = await runner.RunAsync(context, config with { RunInBackground = false },
            new IntegrationRunRequest(backgroundTry.ExecutionId, backgroundTry.Kind, backgroundTry.Attempt, 1, JobId: backgroundTry.JobId));
        foreach (var record in run.Records)
        {
            context.RecordExecution(record);
        }

        return new BackgroundTryResult(run.Outcome == Success, run.Retryable, run.Error);
    }

    public async ValueTask<IReadOnlyDictionary<string, object?>> PreviewAsync(IBlockContext context)
    {
        var run = await runner.RunAsync(context, (IntegrationConfig)context.Config, new IntegrationRunRequest("preview", ExecutionKinds.Test, Send: false, Apply: false));
        var request = run.MaskedRequest();
        return new Dictionary<string, object?>
        {
            ["method"] = request["method"],
            ["url"] = request["url"],
            ["headers"] = request["headers"],
            ["body"] = request["body"],
            ["errors"] = run.Request.Errors.Select(run.Masker.Apply).ToList<object?>(),
            ["warnings"] = run.Warnings.ToList<object?>(),
        };
    }

    public async ValueTask<IReadOnlyDictionary<string, object?>> TestAsync(IBlockContext context)
    {
        var executionId = ExecutionIds.New();
        var config = (IntegrationConfig)context.Config;
        var run = await runner.RunAsync(context, config, new IntegrationRunRequest(executionId, ExecutionKinds.Test, 1, config.Retry?.InlineAttempts ?? 1));
        foreach (var record in run.Records)
        {
            context.RecordExecution(record);
        }

        var response = run.Response;
        return new Dictionary<string, object?>
        {
            ["executionId"] = executionId,
            ["request"] = run.MaskedRequest(),
            ["response"] = new Dictionary<string, object?>
            {
                ["status"] = response?.Status ?? 0,
                ["headers"] = response?.Headers.ToDictionary(h => h.Key, h => (object?)run.Masker.Apply(h.Value)) ?? new Dictionary<string, object?>(),
                ["body"] = run.MaskPlain(run.ResponseData?["body"]),
                ["elapsedMs"] = response is null ? null : Math.Round(response.Elapsed.TotalMilliseconds, 1),
                ["error"] = run.Error,
            },
            ["outcome"] = run.Outcome,
            ["message"] = run.Message,
            ["saved"] = new Dictionary<string, object?>
            {
                ["fields"] = run.FieldsToSave.ToDictionary(f => f.Key, f => (object?)f.Value),
                ["vars"] = run.VarsToSave.ToDictionary(v => v.Key, v => run.MaskPlain(v.Value)),
            },
            ["scriptLog"] = run.ScriptLog.ToList<object?>(),
            ["warnings"] = run.Warnings.ToList<object?>(),
            ["errors"] = run.Request.Errors.Select(run.Masker.Apply).ToList<object?>(),
        };
    }

    public override void Validate(IntegrationConfig config, IBlockValidationContext context)
    {
        var method = config.Method?.Trim().ToUpperInvariant() ?? "";
        if (!RequestBuilder.Methods.Contains(method))
        {
            context.Error("config.method", $"'{config.Method}' is not one of GET, POST, PATCH, PUT, DELETE");
        }

        context.CheckTemplate("config.url", config.Url, allowSecrets: true);
        CheckRows(config.Query, "config.query", context);
        CheckRows(config.Headers, "config.headers", context);
        ValidateBody(config, method, context);
        ValidateAuth(config.Auth, context);

        if (!StatusRanges.TryParse(config.SuccessStatus, out _, out var statusError))
        {
            context.Error("config.successStatus", statusError);
        }

        for (var i = 0; i < (config.Save?.Count ?? 0); i++)
        {
            var row = config.Save![i];
            if (row is null)
            {
                continue;
            }

            if (!DataPath.TryParse(row.Path, out _, out var pathError))
            {
                context.Error($"config.save[{i}].path", pathError);
            }

            if (string.IsNullOrEmpty(row.Field) == string.IsNullOrEmpty(row.Var))
            {
                context.Error($"config.save[{i}]", "a save row names either a 'field' or a 'var'");
            }
            else if (!string.IsNullOrEmpty(row.Field) && !context.Fields.TryGet(row.Field, out _))
            {
                context.Error($"config.save[{i}].field", $"there is no registration field '{row.Field}'");
            }
        }

        if (!string.IsNullOrWhiteSpace(config.Script) && runner.Scripts.Check(config.Script) is { IsValid: false } check)
        {
            context.Error("config.script", "script " + check.Error);
        }

        context.CheckTemplate("config.message", config.Message);
        if (config.Retry?.BackoffSeconds is { } backoff && backoff.Any(s => s is < 1 or > 7 * 86_400))
        {
            context.Error("config.retry.backoffSeconds", "each delay is 1 second to 7 days");
        }
    }

    private static void CheckRows(IReadOnlyList<KeyValueRow>? rows, string path, IBlockValidationContext context)
    {
        for (var i = 0; i < (rows?.Count ?? 0); i++)
        {
            var row = rows![i];
            if (row is null || string.IsNullOrWhiteSpace(row.Key))
            {
                context.Error($"{path}[{i}].key", "a key is required");
                continue;
            }

            context.CheckTemplate($"{path}[{i}].value", row.Value, allowSecrets: true);
        }
    }

    private static void ValidateBody(IntegrationConfig config, string method, IBlockValidationContext context)
    {
        var hasRows = config.Body is { Count: > 0 };
        var hasTemplate = !string.IsNullOrEmpty(config.BodyTemplate);
        if ((hasRows || hasTemplate) && !RequestBuilder.SendsBody(method) && method.Length > 0)
        {
            context.Error(hasRows ? "config.body" : "config.bodyTemplate", $"a {method} request has no body; remove the body or use POST, PUT, PATCH or DELETE");
        }

        if (hasRows && hasTemplate)
        {
            context.Error("config.bodyTemplate", "use either body rows or a bodyTemplate, not both");
        }

        context.CheckTemplate("config.bodyTemplate", config.BodyTemplate, allowSecrets: true);
        if (!hasRows)
        {
            return;
        }

        var rows = new List<BodyRow>(config.Body!.Count);
        var keysValid = true;
        for (var i = 0; i < config.Body.Count; i++)
        {
            var row = config.Body[i];
            if (row is null)
            {
                context.Error($"config.body[{i}]", "a body row must be an object");
                keysValid = false;
                continue;
            }

            if (!BodyKey.TryParse(row.Key, out _, out var keyError))
            {
                context.Error($"config.body[{i}].key", keyError);
                keysValid = false;
            }

            if (!string.IsNullOrEmpty(row.Field) && row.Value is not null)
            {
                context.Error($"config.body[{i}]", "a body row has either a 'value' (text) or a 'field', not both");
            }
            else if (!string.IsNullOrEmpty(row.Field) && !context.Fields.TryGet(row.Field, out _))
            {
                context.Error($"config.body[{i}].field", $"there is no registration field '{row.Field}'");
            }

            if (row.Type is not null && !BodyTypes.Contains(row.Type))
            {
                context.Error($"config.body[{i}].type", $"'{row.Type}' is not string, number, boolean, null or json");
            }

            context.CheckTemplate($"config.body[{i}].value", row.Value, allowSecrets: true);
            rows.Add(new BodyRow(row.Key, "x", null));
        }

        if (!keysValid)
        {
            return;
        }

        // The shape of the keys (duplicates, conflicts, gaps) does not depend on values, so it is checked at save time.
        foreach (var error in BodyBuilder.Build(rows).Errors)
        {
            context.Error($"config.body[{error.Row}].key", error.Message);
        }
    }

    private static void ValidateAuth(AuthConfig? auth, IBlockValidationContext context)
    {
        if (auth is null)
        {
            return;
        }

        if (!AuthTypes.Contains(auth.Type ?? ""))
        {
            context.Error("config.auth.type", $"'{auth.Type}' is not bearer, basic or oauth2-client-credentials");
            return;
        }

        void Require(string? value, string name)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                context.Error($"config.auth.{name}", $"'{name}' is required for {auth.Type} authentication");
            }

            context.CheckTemplate($"config.auth.{name}", value, allowSecrets: true);
        }

        switch (auth.Type!.ToLowerInvariant())
        {
            case "bearer":
                Require(auth.Token, "token");
                break;
            case "basic":
                Require(auth.Username, "username");
                Require(auth.Password, "password");
                break;
            default:
                Require(auth.TokenUrl, "tokenUrl");
                Require(auth.ClientId, "clientId");
                Require(auth.ClientSecret, "clientSecret");
                break;
        }
    }
}
