using System.Buffers;
using System.Text;
using BotFlow.Plugins.Integration.Body;
using BotFlow.Sdk.Data;
using BotFlow.Sdk.Fields;
using BotFlow.Sdk.Templates;
using Newtonsoft.Json;

namespace BotFlow.Plugins.Integration;

/// <summary>The request an integration will send, rendered, with every problem found while building it.</summary>
public sealed class BuiltRequest
{
    public string Method { get; set; } = "GET";
    public string Url { get; set; } = "";

    /// <summary>The URL as parsed when it was checked, so the request does not parse it again; null when it is not valid.</summary>
    public Uri? Uri { get; set; }
    public List<KeyValuePair<string, string>> Headers { get; } = [];
    /// <summary>The body as sent (UTF-8 for JSON and forms; a body template's text in UTF-8), encoded once for every try.</summary>
    public byte[]? Body { get; set; }
    public string? ContentType { get; set; }

    /// <summary>
    /// The body as the editor shows it: the JSON built from the rows (a <see cref="RawJson"/> of <see cref="Body"/>), the
    /// JSON a body template rendered (plain data), the form pairs, or the text.
    /// </summary>
    public object? BodyPreview { get; set; }

    public List<string> Errors { get; } = [];
    public List<string> Warnings { get; } = [];
    public bool IsValid => Errors.Count == 0;
}

/// <summary>Renders a config into a request: templates over contact, vars, response and secrets; bracket-key body rows; auth headers.</summary>
public static class RequestBuilder
{
    public const string JsonContentType = "application/json; charset=utf-8";
    public const string FormContentType = "application/x-www-form-urlencoded";

    private static readonly HashSet<string> BodyMethods = new(StringComparer.OrdinalIgnoreCase) { "POST", "PUT", "PATCH", "DELETE" };

    public static readonly IReadOnlyList<string> Methods = ["GET", "POST", "PATCH", "PUT", "DELETE"];

    public static bool SendsBody(string method) => BodyMethods.Contains(method);

    public static BuiltRequest Build(IntegrationConfig config, ITemplateEngine templates, TemplateScope scope, IFieldCatalog fields,
        IReadOnlyDictionary<string, string> contactFields, SecretMasker masker)
    {
        var built = new BuiltRequest { Method = config.Method.Trim().ToUpperInvariant() };
        var render = new Renderer(built, templates, scope, masker);
        var url = render.Render(config.Url, new("config.url")).Trim();
        if (config.Query is { Count: > 0 } query)
        {
            var builder = new StringBuilder(url);
            var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            for (var i = 0; i < query.Count; i++)
            {
                var value = render.Render(query[i].Value, new("config.query", i, "value"));
                builder.Append(separator).Append(Uri.EscapeDataString(query[i].Key.Trim())).Append('=').Append(Uri.EscapeDataString(value));
                separator = '&';
            }

            url = builder.ToString();
        }

        built.Url = url;
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            built.Uri = uri;
        }
        else
        {
            if (built.Errors.Count == 0)
            {
                built.Errors.Add($"config.url: '{masker.Apply(url)}' is not an absolute http or https URL");
            }
        }

        for (var i = 0; i < (config.Headers?.Count ?? 0); i++)
        {
            var header = config.Headers![i];
            var name = header.Key.Trim();
            var value = render.Render(header.Value, new("config.headers", i, "value"));
            if (!IsHeaderName(name))
            {
                built.Errors.Add($"config.headers[{i}].key: '{name}' is not a valid header name");
                continue;
            }

            if (value.Contains('\r') || value.Contains('\n'))
            {
                built.Errors.Add($"config.headers[{i}].value: a header value cannot contain line breaks");
                continue;
            }

            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                built.ContentType = value;
            }
            else
            {
                built.Headers.Add(new(name, value));
            }
        }

        AddAuth(config.Auth, built, render, masker);
        if (SendsBody(built.Method))
        {
            BuildBody(config, built, render, fields, contactFields);
        }

        return built;
    }

    /// <summary>Printable ASCII without ':' (a span search: no enumerator of the name's characters per header per run).</summary>
    private static bool IsHeaderName(string name) =>
        name.Length > 0 && !name.AsSpan().ContainsAnyExceptInRange('!', '~') && !name.Contains(':', StringComparison.Ordinal);

    private static void AddAuth(AuthConfig? auth, BuiltRequest built, Renderer render, SecretMasker masker)
    {
        switch (auth?.Type?.Trim().ToLowerInvariant())
        {
            case null or "":
                return;
            case "bearer":
                var token = render.Render(auth.Token, new("config.auth.token"));
                masker.Add(token);
                built.Headers.Add(new("Authorization", "Bearer " + token));
                return;
            case "basic":
                var user = render.Render(auth.Username, new("config.auth.username"));
                var password = render.Render(auth.Password, new("config.auth.password"));
                masker.Add(password);
                var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
                masker.Add(encoded);
                built.Headers.Add(new("Authorization", "Basic " + encoded));
                return;
            case "oauth2-client-credentials":
                // The token is fetched by the runner (it needs the network); rendering the settings here reports template errors.
                render.Render(auth.TokenUrl, new("config.auth.tokenUrl"));
                masker.Add(render.Render(auth.ClientSecret, new("config.auth.clientSecret")));
                return;
            default:
                built.Errors.Add($"config.auth.type: '{auth.Type}' is not bearer, basic or oauth2-client-credentials");
                return;
        }
    }

    private static void BuildBody(IntegrationConfig config, BuiltRequest built, Renderer render, IFieldCatalog fields, IReadOnlyDictionary<string, string> contactFields)
    {
        var contentType = built.ContentType;
        var isForm = contentType?.StartsWith(FormContentType, StringComparison.OrdinalIgnoreCase) == true;
        var isJson = contentType is null || contentType.Contains("json", StringComparison.OrdinalIgnoreCase);

        if (!string.IsNullOrEmpty(config.BodyTemplate))
        {
            var text = render.Render(config.BodyTemplate, new("config.bodyTemplate"));
            built.Body = Encoding.UTF8.GetBytes(text);
            built.ContentType ??= JsonContentType;
            if (isJson)
            {
                try
                {
                    built.BodyPreview = JsonPlain.ParsePlain(text);
                }
                catch (JsonException ex)
                {
                    built.Errors.Add($"config.bodyTemplate: the rendered body is not valid JSON: {ex.Message}");
                }
            }
            else
            {
                built.BodyPreview = text;
            }

            return;
        }

        if (config.Body is not { Count: > 0 } body)
        {
            return;
        }

        // The rows live only while the body is built (their values are copied into it): a pooled array, not one per run.
        var rented = ArrayPool<BodyRow>.Shared.Rent(body.Count);
        try
        {
            BuildBody(body, new ArraySegment<BodyRow>(rented, 0, body.Count), isForm, built, render, fields, contactFields);
        }
        finally
        {
            ArrayPool<BodyRow>.Shared.Return(rented, clearArray: true);
        }
    }

    private static void BuildBody(IReadOnlyList<BodyRowConfig> body, ArraySegment<BodyRow> rows, bool isForm, BuiltRequest built, Renderer render, IFieldCatalog fields,
        IReadOnlyDictionary<string, string> contactFields)
    {
        for (var i = 0; i < body.Count; i++)
        {
            var row = body[i];
            if (!string.IsNullOrEmpty(row.Field))
            {
                contactFields.TryGetValue(row.Field, out var raw);
                rows[i] = row.Type is null
                    ? new BodyRow(row.Key, null, null, fields.ToTyped(row.Field, raw), IsField: true)
                    : new BodyRow(row.Key, raw, row.Type);
            }
            else
            {
                rows[i] = new BodyRow(row.Key, render.Render(row.Value, new("config.body", i, "value")), row.Type);
            }
        }

        if (isForm)
        {
            var pairs = BodyBuilder.BuildForm(rows);
            built.Body = Encoding.UTF8.GetBytes(string.Join('&', pairs.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value))));
            built.BodyPreview = pairs.Select(p => (object?)new Dictionary<string, object?> { ["key"] = p.Key, ["value"] = p.Value }).ToList();
            return;
        }

        var result = BodyPlan.For(body).Build(rows);
        foreach (var error in result.Errors)
        {
            built.Errors.Add($"config.body[{error.Row}]: {error.Message}");
        }

        if (result.Succeeded)
        {
            built.Body = result.Utf8;
            // The bytes sent, not a copy as maps and lists: records and the editor write them out as they are.
            built.BodyPreview = new RawJson(result.Utf8);
            built.ContentType ??= JsonContentType;
        }
    }

    /// <summary>Where in the config a template sits: "config.url", or "config.body[2].value" — written only for a message.</summary>
    private readonly record struct ConfigPath(string Head, int Index = -1, string? Member = null)
    {
        public override string ToString() => Index < 0 ? Head : $"{Head}[{Index}].{Member}";
    }

    /// <summary>Renders one request's templates, adding each one's warnings and errors to the request under its config path.</summary>
    private sealed class Renderer(BuiltRequest built, ITemplateEngine templates, TemplateScope scope, SecretMasker masker)
    {
        public string Render(string? template, ConfigPath path)
        {
            if (string.IsNullOrEmpty(template))
            {
                return "";
            }

            var result = templates.Render(templates.Parse(template), scope);
            // By index: a foreach over the interface would box an enumerator on every render.
            for (var i = 0; i < result.Warnings.Count; i++)
            {
                built.Warnings.Add($"{path}: {result.Warnings[i]}");
            }

            if (!result.Succeeded)
            {
                built.Errors.Add($"{path}: {masker.Apply(result.Error)}");
            }

            return result.Text;
        }
    }
}
