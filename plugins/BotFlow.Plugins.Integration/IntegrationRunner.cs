using System.Text;
using BotFlow.Plugins.Integration.Scripts;
using BotFlow.Sdk.Context;
using BotFlow.Sdk.Data;
using BotFlow.Sdk.Executions;
using BotFlow.Sdk.Http;
using BotFlow.Sdk.Secrets;
using BotFlow.Sdk.Templates;
using Newtonsoft.Json;

namespace BotFlow.Plugins.Integration;

/// <summary>How one call of an integration runs: which execution it belongs to and whether it may send and change the contact.</summary>
public sealed record IntegrationRunRequest(string ExecutionId, string Kind, int FirstAttempt = 1, int Attempts = 1, bool Send = true, bool Apply = true, string? JobId = null);

/// <summary>Everything one run produced, for the block (exits), the editor (test output) and the history.</summary>
public sealed class IntegrationRun
{
    public required BuiltRequest Request { get; init; }
    public required SecretMasker Masker { get; init; }
    public OutboundResponse? Response { get; set; }
    public IReadOnlyDictionary<string, object?>? ResponseData { get; set; }
    public string Outcome { get; set; } = IntegrationBlock.Failure;
    public string? Error { get; set; }

    /// <summary>True when the last failure may pass on a later try (no response, timeout, 408, 429, 5xx).</summary>
    public bool Retryable { get; set; }

    public string? Message { get; set; }
    private PlainMap? _fieldsToSave;
    private PlainMap? _varsToSave;

    // Made on the first value saved: many runs save no var, and failed runs nothing at all. Plain maps (one array of a
    // few keys, in the order saved) rather than dictionaries: a run saves one or two values.
    /// <summary>Contact fields to store, each value normalized text (or null).</summary>
    public PlainMap FieldsToSave => _fieldsToSave ??= new(2);
    public PlainMap VarsToSave => _varsToSave ??= new(2);
    internal bool SavesFields => _fieldsToSave is { Count: > 0 };
    internal bool SavesVars => _varsToSave is { Count: > 0 };
    public IReadOnlyList<string> ScriptLog { get; set; } = [];
    public List<string> Warnings { get; init; } = [];
    public List<ExecutionRecord> Records { get; } = new(1); // one try, one record: the usual run
    public int LastAttempt { get; set; }

    /// <summary>The last try, recorded once the response has been read and mapped (its record carries the outcome).</summary>
    internal (int Attempt, DateTimeOffset StartedAt, OutboundResponse Response)? FinalTry { get; set; }

    public IReadOnlyDictionary<string, object?> MaskedRequest() => new PlainMap(4)
    {
        ["method"] = Request.Method,
        ["url"] = Masker.Apply(Request.Url),
        ["headers"] = MaskedHeaders(),
        ["body"] = Request.BodyPreview is null ? null : MaskPlain(Request.BodyPreview),
    };

    /// <summary>The request's headers, a repeated name's values joined with ", " under its first spelling, each masked.</summary>
    private PlainMap MaskedHeaders()
    {
        var headers = new PlainMap(Request.Headers.Count + 1, ignoreCase: true);
        void Add(string name, string value) =>
            headers[name] = headers.TryGetValue(name, out var earlier) ? (string)earlier! + ", " + value : value;

        foreach (var (name, value) in Request.Headers)
        {
            Add(name, value);
        }

        if (Request.ContentType is { } contentType)
        {
            Add("Content-Type", contentType);
        }

        // Masked once joined (a secret may span the join), in place: changing a value leaves the enumeration valid.
        foreach (var (name, value) in headers)
        {
            headers[name] = Masker.Apply((string)value!);
        }

        return headers;
    }

    /// <summary>The value with every secret masked; the same instance (no copy) where nothing in it holds a secret.</summary>
    public object? MaskPlain(object? value)
    {
        if (Masker.IsEmpty)
        {
            return value;
        }

        switch (value)
        {
            case string s:
                return Masker.Apply(s);
            case RawJson raw:
                // The body as sent: kept as its bytes unless a secret may be in it, then masked value by value as data.
                return Masker.MayOccurIn(raw.Utf8.Span) ? MaskPlain(JsonPlain.ParsePlain(raw.ToString())) : raw;
            case PlainMap plain:
                // The map's own enumerator: no boxed one per map.
                return (object?)MaskEntries(plain.GetEnumerator(), plain) ?? plain;
            case IReadOnlyDictionary<string, object?> map:
                return (object?)MaskEntries(map.GetEnumerator(), map) ?? map;
            case IList<object?> list:
                List<object?>? maskedList = null;
                for (var i = 0; i < list.Count; i++)
                {
                    var masked = MaskPlain(list[i]);
                    if (!ReferenceEquals(masked, list[i]))
                    {
                        maskedList ??= [.. list];
                        maskedList[i] = masked;
                    }
                }

                return (object?)maskedList ?? list;
            default:
                return value;
        }
    }

    /// <summary>A copy of the map with its secrets masked, or null when none of its values holds one.</summary>
    private PlainMap? MaskEntries<TEnumerator>(TEnumerator entries, IReadOnlyDictionary<string, object?> map)
        where TEnumerator : IEnumerator<KeyValuePair<string, object?>>
    {
        PlainMap? masked = null;
        using (entries)
        {
            while (entries.MoveNext())
            {
                var (key, item) = entries.Current;
                var value = MaskPlain(item);
                if (!ReferenceEquals(value, item))
                {
                    masked ??= new PlainMap(map);
                    masked[key] = value;
                }
            }
        }

        return masked;
    }
}

/// <summary>
/// Builds, sends (with inline retries), reads and maps one integration call. The same code serves conversations, the
/// editor's Test, and background tries, so what an admin tests is what runs.
/// </summary>
public sealed class IntegrationRunner
{
    private readonly IOutboundHttp _http;
    private readonly ISecretReader _secrets;
    private readonly IntegrationOptions _options;
    private readonly OAuthTokenCache _tokens;
    private readonly TimeProvider _clock;
    private readonly ILogger<IntegrationRunner> _logger;

    // The store's secrets prepared for masking, kept while the store hands out the same map (it makes a new one when a
    // secret changes), so a run does not sort and URL-escape every secret again.
    private sealed record PreparedSecrets(IReadOnlyDictionary<string, string> Source, SecretMasker Masker)
    {
        /// <summary>Reads a secret for <c>secrets.&lt;name&gt;</c> in request templates: one delegate per secrets map, not per run.</summary>
        public Func<string, string?> Read { get; } = name => Source.TryGetValue(name, out var value) ? value : null;
    }

    private PreparedSecrets? _prepared;

    // Save rows' paths parsed once per path string (a flow version keeps its strings while it is loaded).
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<string, Tuple<DataPath?, string>> _paths = new();

    // Success-status lists parsed once per string too (every try of every run read it; saving a flow refuses malformed ones).
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<string, StatusRanges> _statuses = new();

    public IntegrationRunner(IOutboundHttp http, ISecretReader secrets, IntegrationOptions options, OAuthTokenCache tokens, TimeProvider clock, ILogger<IntegrationRunner> logger)
    {
        _http = http;
        _secrets = secrets;
        _options = options;
        _tokens = tokens;
        _clock = clock;
        _logger = logger;
        Scripts = new ScriptRunner(options.Scripts);
    }

    internal ScriptRunner Scripts { get; }

    public IntegrationOptions Options => _options;

    public async Task<IntegrationRun> RunAsync(IBlockContext context, IntegrationConfig config, IntegrationRunRequest run)
    {
        var ct = context.CancellationToken;
        var secrets = await _secrets.ReadAllAsync(ct);
        var prepared = _prepared;
        if (prepared is null || !ReferenceEquals(prepared.Source, secrets))
        {
            _prepared = prepared = new PreparedSecrets(secrets, new SecretMasker(secrets.Values));
        }

        var masker = prepared.Masker.Fork();
        var baseScope = context.CreateScope();
        var scope = new TemplateScope
        {
            Contact = baseScope.Contact, Vars = baseScope.Vars, Response = baseScope.Response,
            Secrets = prepared.Read,
        };
        var built = RequestBuilder.Build(config, context.Templates, scope, context.FieldCatalog, context.Fields, masker);
        // The run's warnings start as the build's: one list, not a copy.
        var result = new IntegrationRun { Request = built, Masker = masker, LastAttempt = run.FirstAttempt, Warnings = built.Warnings };
        if (!run.Send)
        {
            return result;
        }

        var started = _clock.GetUtcNow();
        if (!built.IsValid)
        {
            result.Error = masker.Apply(string.Join("; ", built.Errors));
            result.Records.Add(Record(context, run, result, run.FirstAttempt, started, null));
            return result;
        }

        await SendWithRetriesAsync(context, config, run, result, secrets, ct);
        if (result.Response is { } response && response.ErrorKind == OutboundErrorKind.None)
        {
            ReadResponse(config, result, response);
            MapResponse(context, config, result, scope);
        }

        if (run.Apply && context.Mode != BlockRunMode.Preview)
        {
            await ApplyAsync(context, result);
        }

        // The last try's record carries the outcome after the script and save rows, so it is built once, here.
        if (result.FinalTry is { } final)
        {
            result.Records.Add(Record(context, run, result, final.Attempt, final.StartedAt, final.Response));
        }
        else if (result.Records.Count > 0)
        {
            var last = result.Records[^1];
            result.Records[^1] = Record(context, run, result, last.Attempt, last.StartedAt, result.Response);
        }

        return result;
    }

    private async Task SendWithRetriesAsync(IBlockContext context, IntegrationConfig config, IntegrationRunRequest run, IntegrationRun result,
        IReadOnlyDictionary<string, string> secrets, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(config.TimeoutSeconds);
        var budget = TimeSpan.FromTicks(Math.Min(_options.InlineBudget.Ticks, timeout.Ticks * Math.Max(1, run.Attempts)));
        var budgetStart = _clock.GetTimestamp();
        var oauth = OAuthSettings(config, context, secrets, result);
        var refreshed = false;
        for (var i = 0; i < run.Attempts; i++)
        {
            var attempt = run.FirstAttempt + i;
            var started = _clock.GetUtcNow();
            string? token = null;
            if (oauth is not null)
            {
                (token, var tokenError) = await _tokens.GetAsync(oauth, forceRefresh: false, timeout, ct);
                result.Masker.Add(token);
                if (tokenError is not null)
                {
                    result.Error = result.Masker.Apply(tokenError);
                    result.Retryable = true;
                    result.Records.Add(Record(context, run, result, attempt, started, null));
                    return;
                }
            }

            var response = await _http.SendAsync(CreateMessage(result.Request, token, run.ExecutionId), new OutboundOptions { Timeout = timeout, MaxResponseBytes = _options.MaxResponseBytes }, ct);
            if (response.Status == 401 && oauth is not null && !refreshed)
            {
                // One refresh on 401: the partner may have revoked the cached token early.
                refreshed = true;
                (token, _) = await _tokens.GetAsync(oauth, forceRefresh: true, timeout, ct);
                result.Masker.Add(token);
                response = await _http.SendAsync(CreateMessage(result.Request, token, run.ExecutionId), new OutboundOptions { Timeout = timeout, MaxResponseBytes = _options.MaxResponseBytes }, ct);
            }

            result.Response = response;
            result.LastAttempt = attempt;
            result.Retryable = IsRetryable(response);
            result.Error = response.ErrorKind != OutboundErrorKind.None ? result.Masker.Apply(response.Error)
                : !SuccessStatuses(config.SuccessStatus).Contains(response.Status) ? $"HTTP {response.Status}"
                : null;
            result.Outcome = result.Error is null ? IntegrationBlock.Success : IntegrationBlock.Failure;
            if (!result.Retryable || i == run.Attempts - 1)
            {
                result.FinalTry = (attempt, started, response);
                return;
            }

            var elapsed = _clock.GetElapsedTime(budgetStart);
            var delay = response.RetryAfter is { } retryAfter && retryAfter > TimeSpan.Zero ? retryAfter : _options.InlineBackoff * Math.Pow(2, i);
            if (elapsed + delay + TimeSpan.FromMilliseconds(50) >= budget)
            {
                result.FinalTry = (attempt, started, response);
                result.Warnings.Add($"no more inline tries: waiting {delay.TotalSeconds:0.##} s would exceed the inline budget of {budget.TotalSeconds:0.##} s");
                return;
            }

            result.Records.Add(Record(context, run, result, attempt, started, response));
            await Task.Delay(delay, _clock, ct);
        }
    }

    private static bool IsRetryable(OutboundResponse response) => response.ErrorKind switch
    {
        OutboundErrorKind.Timeout or OutboundErrorKind.Connection => true,
        OutboundErrorKind.None => response.Status is 408 or 429 or >= 500,
        _ => false,
    };

    private HttpRequestMessage CreateMessage(BuiltRequest built, string? oauthToken, string executionId)
    {
        // HttpMethod.Parse hands out the shared instances of the standard methods.
        var message = new HttpRequestMessage(HttpMethod.Parse(built.Method), built.Uri ?? new Uri(built.Url));
        foreach (var (name, value) in built.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (oauthToken is not null)
        {
            message.Headers.TryAddWithoutValidation("Authorization", "Bearer " + oauthToken);
        }

        if (!string.IsNullOrEmpty(_options.IdempotencyHeader) && !message.Headers.Contains(_options.IdempotencyHeader))
        {
            message.Headers.TryAddWithoutValidation(_options.IdempotencyHeader, executionId);
        }

        if (built.Body is not null)
        {
            message.Content = new ByteArrayContent(built.Body);
            message.Content.Headers.TryAddWithoutValidation("Content-Type", built.ContentType ?? RequestBuilder.JsonContentType);
        }

        return message;
    }

    private StatusRanges SuccessStatuses(string? text) => string.IsNullOrWhiteSpace(text)
        ? StatusRanges.Default
        : _statuses.GetValue(text, static t => StatusRanges.TryParse(t, out var ranges, out _) ? ranges : StatusRanges.Default);

    private static OAuthTokenCache.Settings? OAuthSettings(IntegrationConfig config, IBlockContext context, IReadOnlyDictionary<string, string> secrets, IntegrationRun result)
    {
        if (!string.Equals(config.Auth?.Type, "oauth2-client-credentials", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var scope = new TemplateScope { Contact = context.CreateScope().Contact, Vars = context.Vars, Secrets = n => secrets.TryGetValue(n, out var v) ? v : null };
        string Render(string? template) => string.IsNullOrEmpty(template) ? "" : context.Templates.Render(context.Templates.Parse(template), scope).Text;
        var settings = new OAuthTokenCache.Settings(Render(config.Auth!.TokenUrl), Render(config.Auth.ClientId), Render(config.Auth.ClientSecret), Render(config.Auth.Scope));
        result.Masker.Add(settings.ClientSecret);
        return settings;
    }

    private void ReadResponse(IntegrationConfig config, IntegrationRun result, OutboundResponse response)
    {
        var text = Decode(response, out var utf8);
        object? body = text;
        response.Headers.TryGetValue("content-type", out var contentType);
        var declaredJson = contentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true;
        var trimmed = text.AsSpan().TrimStart();
        if (declaredJson || (trimmed.Length > 0 && (trimmed[0] == '{' || trimmed[0] == '[')))
        {
            try
            {
                // UTF-8 answers are read from their bytes (the same values and errors as from the text, without its buffers).
                body = text.Length == 0 ? null : utf8 ? JsonPlain.ParsePlain(response.Body, text) : JsonPlain.ParsePlain(text);
            }
            catch (JsonException ex)
            {
                body = text;
                if (declaredJson)
                {
                    result.Error ??= $"the response says it is JSON but does not parse: {ex.Message}";
                    result.Outcome = IntegrationBlock.Failure;
                    result.Retryable = false;
                }
            }
        }

        result.ResponseData = new PlainMap(6)
        {
            ["status"] = (long)response.Status,
            ["headers"] = Plain(response.Headers, masker: null),
            ["body"] = body,
            ["text"] = text,
            ["elapsedMs"] = Math.Round(response.Elapsed.TotalMilliseconds, 1),
            ["error"] = result.Error,
        };
    }

    /// <summary>Response headers as plain data, each value masked when a masker is given.</summary>
    private static PlainMap Plain(IReadOnlyDictionary<string, string> headers, SecretMasker? masker) =>
        PlainMap.FromStrings(headers, masker, static (masker, _, value) => masker is null ? value : masker.Apply(value));

    private static string Decode(OutboundResponse response) => Decode(response, out _);

    private static string Decode(OutboundResponse response, out bool utf8)
    {
        utf8 = true;
        if (response.Body.Length == 0)
        {
            return "";
        }

        Encoding encoding = Encoding.UTF8;
        if (response.Headers.TryGetValue("content-type", out var type) && type.IndexOf("charset=", StringComparison.Ordinal) is var at and >= 0)
        {
            try
            {
                encoding = Encoding.GetEncoding(type.AsSpan(at + "charset=".Length).Trim().Trim("\";").ToString());
            }
            catch (ArgumentException)
            {
            }

            utf8 = encoding.CodePage == Encoding.UTF8.CodePage;
        }

        // Invalid bytes become U+FFFD rather than failing: the admin still sees what came back.
        return encoding.GetString(response.Body);
    }

    private void MapResponse(IBlockContext context, IntegrationConfig config, IntegrationRun result, TemplateScope requestScope)
    {
        var body = result.ResponseData!["body"];
        string? scriptMessage = null;
        if (!string.IsNullOrWhiteSpace(config.Script))
        {
            var script = Scripts.Run(config.Script, new ScriptInput(result.MaskPlain(result.ResponseData), requestScope.Contact, context.Vars), context.CancellationToken);
            result.ScriptLog = script.Log.Select(result.Masker.Apply).ToList();
            if (!script.Succeeded)
            {
                result.Outcome = IntegrationBlock.Failure;
                result.Error = "script: " + result.Masker.Apply(script.Error);
                result.Retryable = false;
                return;
            }

            if (script.Outcome is { } outcome)
            {
                result.Outcome = outcome;
                result.Error = outcome == IntegrationBlock.Failure ? result.Error ?? "the script returned 'failure'" : null;
            }

            scriptMessage = script.Message;
            foreach (var (key, value) in script.FieldsSet)
            {
                SaveField(context, result, key, value, "script setField");
            }

            foreach (var (key, value) in script.VarsSet)
            {
                result.VarsToSave[key] = value;
            }
        }

        if (result.Outcome != IntegrationBlock.Success)
        {
            return;
        }

        result.Retryable = false;
        for (var i = 0; i < (config.Save?.Count ?? 0); i++)
        {
            var row = config.Save![i];
            var (path, pathError) = _paths.GetValue(row.Path, static text => DataPath.TryParse(text, out var p, out var e) ? Tuple.Create<DataPath?, string>(p, e) : Tuple.Create<DataPath?, string>(null, e));
            if (path is null)
            {
                result.Warnings.Add($"config.save[{i}].path: {pathError}");
                continue;
            }

            if (!path.TryRead(body, out var value))
            {
                result.Warnings.Add($"config.save[{i}]: no value at '{row.Path}' in the response body");
                continue;
            }

            if (!string.IsNullOrEmpty(row.Field))
            {
                SaveField(context, result, row.Field, value, $"config.save[{i}]");
            }
            else if (!string.IsNullOrEmpty(row.Var))
            {
                result.VarsToSave[row.Var] = value;
            }
        }

        var messageTemplate = scriptMessage ?? config.Message;
        if (!string.IsNullOrEmpty(messageTemplate))
        {
            // The message sees what this run saved; without saves the scope's own maps serve as they are.
            var contact = requestScope.Contact;
            if (result.SavesFields)
            {
                var saved = new PlainMap(requestScope.Contact);
                foreach (var (key, value) in result.FieldsToSave)
                {
                    saved[key] = context.FieldCatalog.ToTyped(key, (string?)value);
                }

                contact = saved;
            }

            var vars = context.Vars;
            if (result.SavesVars)
            {
                var saved = new PlainMap(context.Vars);
                foreach (var (key, value) in result.VarsToSave)
                {
                    saved[key] = value;
                }

                vars = saved;
            }

            // Messages never see secrets: the scope has none, so a template naming one fails instead of leaking it.
            var rendered = context.Templates.Render(context.Templates.Parse(messageTemplate), new TemplateScope { Contact = contact, Vars = vars, Response = result.ResponseData });
            result.Warnings.AddRange(rendered.Warnings);
            if (rendered.Succeeded)
            {
                result.Message = result.Masker.Apply(rendered.Text);
            }
            else
            {
                result.Warnings.Add("message: " + rendered.Error);
            }
        }
    }

    private static void SaveField(IBlockContext context, IntegrationRun result, string key, object? value, string source)
    {
        var normalized = context.FieldCatalog.Normalize(key, value is null ? null : JsonPlain.ToText(value));
        if (normalized.IsValid)
        {
            result.FieldsToSave[key] = normalized.Value;
        }
        else
        {
            result.Warnings.Add($"{source}: the value for field '{key}' was not stored: {normalized.Error}");
        }
    }

    private static async Task ApplyAsync(IBlockContext context, IntegrationRun result)
    {
        if (result.ResponseData is not null)
        {
            // Stored with the conversation and shown to later blocks: a partner echoing our token must not leak it.
            context.SetResponse(result.MaskPlain(result.ResponseData));
        }

        if (result.SavesFields)
        {
            foreach (var (key, value) in result.FieldsToSave)
            {
                context.SetField(key, (string?)value);
            }
        }

        if (result.SavesVars)
        {
            foreach (var (key, value) in result.VarsToSave)
            {
                context.SetVar(key, value);
            }
        }

        if (result.Outcome == IntegrationBlock.Success && !string.IsNullOrEmpty(result.Message) && context.Mode != BlockRunMode.Test)
        {
            await context.SendAsync(result.Message, context.CancellationToken);
        }
    }

    private ExecutionRecord Record(IBlockContext context, IntegrationRunRequest run, IntegrationRun result, int attempt, DateTimeOffset started, OutboundResponse? response) => new()
    {
        Id = run.ExecutionId,
        Kind = run.Kind,
        Attempt = attempt,
        FlowId = context.Mode == BlockRunMode.Test ? null : context.FlowId,
        FlowVersion = context.Mode == BlockRunMode.Test ? null : context.FlowVersion,
        BlockId = context.Mode == BlockRunMode.Test ? null : context.BlockId,
        ContactId = context.Mode == BlockRunMode.Test ? null : context.ContactId,
        JobId = run.JobId,
        StartedAt = started,
        DurationMs = Math.Round(response?.Elapsed.TotalMilliseconds ?? (_clock.GetUtcNow() - started).TotalMilliseconds, 1),
        Outcome = result.Outcome,
        Error = result.Error,
        // Typed as the property: `[]` beside ToList() would be a new empty List<string> on every run.
        Warnings = result.Warnings.Count == 0 ? Array.Empty<string>() : result.Warnings.ToArray(),
        Request = result.MaskedRequest(),
        Response = response is null ? null : new PlainMap(5)
        {
            ["status"] = response.Status,
            // The final try's headers were copied once already for the response data (masking copies only what holds a secret).
            ["headers"] = ReferenceEquals(response, result.Response) && result.ResponseData?.GetValueOrDefault("headers") is IReadOnlyDictionary<string, object?> read
                ? result.MaskPlain(read)
                : Plain(response.Headers, result.Masker),
            // The final try's text was decoded once already for the response data; earlier tries decode their own.
            ["body"] = JsonPlain.Truncate(result.Masker.Apply(
                ReferenceEquals(response, result.Response) && result.ResponseData?.GetValueOrDefault("text") is string text ? text : Decode(response)),
                _options.HistoryBodyBytes),
            ["elapsedMs"] = Math.Round(response.Elapsed.TotalMilliseconds, 1),
            ["error"] = result.Masker.Apply(response.Error),
        },
        IdempotencyKey = string.IsNullOrEmpty(_options.IdempotencyHeader) ? null : run.ExecutionId,
    };
}
