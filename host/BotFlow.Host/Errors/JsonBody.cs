using BotFlow.Host.Flows;
using BotFlow.Host.Storage;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Errors;

/// <summary>
/// Reads request bodies with Newtonsoft (comments tolerated, depth bounded, duplicate keys refused) under a size cap,
/// so malformed JSON gets a ProblemDetails naming the line and position instead of a bare 400.
/// </summary>
public static class JsonBody
{
    public const int DefaultLimit = 256 * 1024;

    public static async Task<(JToken? Body, ProblemHttpResultOrNull Problem)> ReadAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return (null, new(Problems.TooLarge("body", limit)));
        }

        if (request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, new(TypedResults.Problem(title: "Unsupported media type.", detail: "send the body as application/json",
                statusCode: StatusCodes.Status415UnsupportedMediaType)));
        }

        using var body = await Http.PooledBody.ReadAsync(request.Body, request.ContentLength, limit, ct);
        if (body.TooLarge)
        {
            return (null, new(Problems.TooLarge("body", limit)));
        }

        if (body.Length == 0)
        {
            return (null, new(Problems.Invalid("body", "a JSON body is required")));
        }

        try
        {
            // The body is in memory: a synchronous reader over it, with pooled character buffers, costs a fraction of the async one.
            var bytes = body.Span;
            if (bytes.StartsWith(System.Text.Encoding.UTF8.Preamble))
            {
                bytes = bytes[3..];
            }

            using var reader = new JsonTextReader(new StringReader(System.Text.Encoding.UTF8.GetString(bytes)))
            {
                MaxDepth = JsonDefaults.MaxDepth, DateParseHandling = DateParseHandling.None, FloatParseHandling = FloatParseHandling.Decimal,
                ArrayPool = JsonDefaults.CharPool,
            };
            var token = JToken.ReadFrom(reader, JsonDefaults.LoadSettings);
            while (reader.Read())
            {
                if (reader.TokenType != JsonToken.Comment)
                {
                    return (null, new(Problems.Invalid("body", $"malformed JSON: unexpected content after the end at line {reader.LineNumber}, position {reader.LinePosition}")));
                }
            }

            return (token, default);
        }
        catch (JsonReaderException ex)
        {
            var path = string.IsNullOrEmpty(ex.Path) ? "body" : ex.Path;
            var message = ex.Message;
            var cut = message.IndexOf(" Path '", StringComparison.Ordinal);
            return (null, new(Problems.Invalid(path, $"malformed JSON at line {ex.LineNumber}, position {ex.LinePosition}: {(cut > 0 ? message[..cut] : message)}")));
        }
    }

    /// <summary>
    /// Reads and converts to <typeparamref name="T"/>, reporting the property that does not fit. <paramref name="direct"/>
    /// may build the value from the object itself when its shape is the ordinary one (null: let the serializer do it,
    /// with its conversions and error messages); the serializer was the larger part of reading a chat message.
    /// </summary>
    public static async Task<(T? Value, ProblemHttpResultOrNull Problem)> ReadAsync<T>(HttpRequest request, CancellationToken ct, int limit = DefaultLimit,
        Func<JObject, T?>? direct = null) where T : class
    {
        var (token, problem) = await ReadAsync(request, limit, ct);
        if (token is null)
        {
            return (null, problem);
        }

        if (token.Type != JTokenType.Object)
        {
            return (null, new(Problems.Invalid("body", "the body must be a JSON object")));
        }

        if (direct?.Invoke((JObject)token) is { } value)
        {
            return (value, default);
        }

        try
        {
            return (token.ToObject<T>(JsonDefaults.Serializer), default);
        }
        catch (JsonException ex)
        {
            var path = ex is JsonSerializationException s && !string.IsNullOrEmpty(s.Path) ? s.Path : "body";
            var cut = ex.Message.IndexOf(" Path '", StringComparison.Ordinal);
            return (null, new(Problems.Invalid(path, cut > 0 ? ex.Message[..cut] : ex.Message)));
        }
    }
}

/// <summary>An optional problem answer (a struct so the happy path allocates nothing).</summary>
public readonly record struct ProblemHttpResultOrNull(Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Value)
{
    public bool HasValue => Value is not null;
}
