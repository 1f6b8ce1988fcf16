using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace BotFlow.Plugins.Integration;

/// <summary>What an admin fills in for an Integration block (integration-block.md).</summary>
public sealed record IntegrationConfig
{
    /// <summary>GET, POST, PATCH, PUT or DELETE (case-insensitive).</summary>
    [Required, Description("GET, POST, PATCH, PUT or DELETE.")]
    public string Method { get; init; } = "GET";

    /// <summary>The URL, a template over contact, vars, response and secrets.</summary>
    [Required, Description("The URL, a template over contact, vars, response and secrets.")]
    public string Url { get; init; } = "";

    /// <summary>Query rows, URL-encoded and appended.</summary>
    [Description("Query string rows (values are templates).")]
    public IReadOnlyList<KeyValueRow>? Query { get; init; }

    /// <summary>Header rows.</summary>
    [Description("Header rows (values are templates).")]
    public IReadOnlyList<KeyValueRow>? Headers { get; init; }

    /// <summary>Body rows with bracket keys (<c>deal[name]</c>, <c>contacts[0][name]</c>).</summary>
    [Description("Body rows: key with brackets, and a value (template) or a registration field.")]
    public IReadOnlyList<BodyRowConfig>? Body { get; init; }

    /// <summary>A whole body as a template, instead of rows.</summary>
    [Description("A whole body as a template, instead of rows.")]
    public string? BodyTemplate { get; init; }

    /// <summary>Authentication.</summary>
    public AuthConfig? Auth { get; init; }

    /// <summary>Time one try may take, 1–60 s. Default 15.</summary>
    [Range(1, 60), Description("Seconds one try may take (1–60).")]
    public int TimeoutSeconds { get; init; } = 15;

    /// <summary>Statuses counted as success, e.g. <c>200-299,404</c>. Default 2xx.</summary>
    [Description("Statuses counted as success, e.g. 200-299,404. Default 2xx.")]
    public string? SuccessStatus { get; init; }

    /// <summary>Values copied from the response body into fields or variables.</summary>
    [Description("Copy values from the response body into fields or variables.")]
    public IReadOnlyList<SaveRow>? Save { get; init; }

    /// <summary>A JavaScript response-mapping script.</summary>
    [Description("JavaScript run after the response: setField, setVar, log, return 'success'/'failure'.")]
    public string? Script { get; init; }

    /// <summary>Sent to the contact after a successful call; Scriban and <c>{data[url]}</c> placeholders.</summary>
    [Description("Sent after a successful call. {{ response.body.x }} or {data[x]}.")]
    public string? Message { get; init; }

    /// <summary>Retries.</summary>
    public RetryConfig? Retry { get; init; }

    /// <summary>Enqueue the call and take <c>success</c> at once (needs background jobs).</summary>
    [Description("Enqueue the call and go on at once.")]
    public bool RunInBackground { get; init; }
}

/// <summary>A query or header row.</summary>
public sealed record KeyValueRow([property: Required] string Key, string? Value = null);

/// <summary>A body row: a bracket key and either a text value (a template) or a registration field.</summary>
public sealed record BodyRowConfig
{
    /// <summary>The bracket key.</summary>
    [Required] public string Key { get; init; } = "";

    /// <summary>The value, a template (text mode).</summary>
    public string? Value { get; init; }

    /// <summary>A registration field (field mode); keeps the field's type.</summary>
    public string? Field { get; init; }

    /// <summary>string (default), number, boolean, null or json.</summary>
    public string? Type { get; init; }
}

/// <summary>Copies a value from the response body into a field or a variable.</summary>
public sealed record SaveRow
{
    /// <summary>Registration field to fill (validated by its type).</summary>
    public string? Field { get; init; }

    /// <summary>Flow variable to fill.</summary>
    public string? Var { get; init; }

    /// <summary>Bracket path in the response body, e.g. <c>data[url]</c>.</summary>
    [Required] public string Path { get; init; } = "";
}

/// <summary>bearer, basic or oauth2-client-credentials.</summary>
public sealed record AuthConfig
{
    [Required] public string Type { get; init; } = "";
    public string? Token { get; init; }
    public string? Username { get; init; }
    public string? Password { get; init; }
    public string? TokenUrl { get; init; }
    public string? ClientId { get; init; }
    public string? ClientSecret { get; init; }
    public string? Scope { get; init; }
}

/// <summary>Inline and background retries.</summary>
public sealed record RetryConfig
{
    /// <summary>Tries while the contact waits (1–5). Default 1.</summary>
    [Range(1, 5)] public int InlineAttempts { get; init; } = 1;

    /// <summary>Background tries after the inline ones fail (0–10). Default 0.</summary>
    [Range(0, 10)] public int BackgroundAttempts { get; init; }

    /// <summary>Delays between background tries, in seconds. Default 10, 60, 300, 1800, 7200.</summary>
    public IReadOnlyList<int>? BackoffSeconds { get; init; }
}
