using BotFlow.Host.Conversations;
using BotFlow.Host.Errors;
using BotFlow.Host.Executions;
using BotFlow.Host.Fields;
using BotFlow.Host.Flows;
using BotFlow.Host.Security;
using BotFlow.Host.Templates;
using BotFlow.Sdk.Blocks;
using BotFlow.Sdk.Context;
using BotFlow.Sdk.Templates;
using Microsoft.AspNetCore.Http.HttpResults;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Integrations;

/// <summary>
/// The editor's JSON preview and Test button. Generic over blocks that implement <see cref="ITestableBlock"/>:
/// <c>/api/integrations/*</c> is the Integration block's, <c>/api/block-types/{type}/preview|test</c> any plugin's.
/// The block runs on a detached context built from sample fields, so no contact is changed.
/// </summary>
public static class IntegrationsApi
{
    public static IEndpointRouteBuilder MapIntegrations(this IEndpointRouteBuilder routes)
    {
        var integrations = routes.MapGroup("/").WithTags("Integrations").RequireAuthorization(Policies.Edit);
        integrations.MapPost("/integrations/preview", (HttpRequest r, TestableBlockRunner runner, CancellationToken ct) => runner.RunAsync("integration", r, test: false, ct))
            .WithSummary("The request an integration config builds from sample fields, with every error (secrets masked)").Accepts<object>("application/json");
        integrations.MapPost("/integrations/test", (HttpRequest r, TestableBlockRunner runner, CancellationToken ct) => runner.RunAsync("integration", r, test: true, ct))
            .WithSummary("Runs an integration config for real and reports request, response, message and what would be saved").Accepts<object>("application/json");
        integrations.MapPost("/block-types/{type}/preview", (string type, HttpRequest r, TestableBlockRunner runner, CancellationToken ct) => runner.RunAsync(type, r, test: false, ct))
            .WithSummary("Preview of any block type that supports it").Accepts<object>("application/json");
        integrations.MapPost("/block-types/{type}/test", (string type, HttpRequest r, TestableBlockRunner runner, CancellationToken ct) => runner.RunAsync(type, r, test: true, ct))
            .WithSummary("Test of any block type that supports it").Accepts<object>("application/json");
        return routes;
    }
}

public sealed class TestableBlockRunner(
    Plugins.PluginCatalog plugins, FlowValidator validator, FieldService fields, ITemplateEngine templates, IExecutionStore executions,
    TimeProvider clock, IHostApplicationLifetime lifetime, ILogger<TestableBlockRunner> logger)
{
    public async Task<IResult> RunAsync(string type, HttpRequest request, bool test, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync(request, JsonBody.DefaultLimit, ct);
        if (body is null)
        {
            return problem.Value!;
        }

        if (body is not JObject input || input["config"] is not JObject config)
        {
            return Problems.Invalid("config", "the body must be { \"config\": { … }, \"fields\": { … }, \"vars\": { … } }");
        }

        if (!plugins.TryGet(type, out var descriptor) || descriptor.Block is not ITestableBlock testable)
        {
            return Problems.NotFound($"no loaded block type '{type}' supports preview and test");
        }

        var catalog = await fields.GetCatalogAsync(ct);
        var (compiled, errors, warnings) = validator.ValidateBlockConfig(type, config, catalog);
        var contactFields = new Dictionary<string, string>(StringComparer.Ordinal);
        var fieldErrors = new List<FlowError>();
        if (input["fields"] is JObject sampleFields)
        {
            foreach (var property in sampleFields.Properties())
            {
                var normalized = catalog.Normalize(property.Name, property.Value.Type == JTokenType.Null ? null : property.Value.ToString());
                if (normalized.IsValid && normalized.Value is not null)
                {
                    contactFields[property.Name] = normalized.Value;
                }
                else if (!normalized.IsValid)
                {
                    fieldErrors.Add(new FlowError(null, $"fields.{property.Name}", normalized.Error!));
                }
            }
        }

        if (compiled is null || fieldErrors.Count > 0)
        {
            if (test)
            {
                return Problems.Invalid("The config cannot be tested.", errors.Concat(fieldErrors).ToList(), warnings);
            }

            // The preview still answers: the editor shows every error at the row it names.
            return TypedResults.Ok(new Dictionary<string, object?>
            {
                ["method"] = (string?)config["method"],
                ["url"] = (string?)config["url"],
                ["headers"] = new Dictionary<string, object?>(),
                ["body"] = null,
                ["errors"] = errors.Concat(fieldErrors).Select(e => (object?)$"{e.Path}: {e.Message}").ToList(),
                ["warnings"] = warnings.Select(e => (object?)$"{e.Path}: {e.Message}").ToList(),
            });
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        var state = new BlockContextState
        {
            FlowId = "test",
            FlowVersion = 0,
            ContactId = "test-contact",
            ConversationId = "test",
            Channel = Conversations.Channels.Test,
            FieldCatalog = catalog,
            Fields = contactFields,
            Vars = input["vars"] is JObject vars ? PlainData.FromToken(vars) as Dictionary<string, object?> ?? [] : [],
            Response = input["response"] is { } lastResponse ? PlainData.FromToken(lastResponse) : null,
            Templates = templates,
            Logger = logger,
            Clock = clock,
            Mode = test ? BlockRunMode.Test : BlockRunMode.Preview,
            BlockId = "preview",
            CancellationToken = timeout.Token,
        };
        var context = descriptor.CreateContext(state, compiled.Config);
        var result = test ? await testable.TestAsync(context) : await testable.PreviewAsync(context);
        if (state.Executions.Count > 0)
        {
            await executions.AddAsync(state.Executions, CancellationToken.None);
        }

        return TypedResults.Ok(result);
    }
}
