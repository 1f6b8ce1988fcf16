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

    /// <summary>
    /// Builds a value straight from a body's UTF-8 bytes when the body has the ordinary shape, or answers null: the body
    /// is then read the ordinary way (Newtonsoft), which also gives every error its message.
    /// </summary>
    public delegate T? Utf8Shape<T>(ReadOnlySpan<byte> json) where T : class;

    public static async Task<(JToken? Body, ProblemHttpResultOrNull Problem)> ReadAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        var (_, token, problem) = await ReadCoreAsync<JToken>(request, limit, null, ct);
        return (token, problem);
    }

    private static async Task<(T? Shaped, JToken? Body, ProblemHttpResultOrNull Problem)> ReadCoreAsync<T>(HttpRequest request, int limit, Utf8Shape<T>? fromUtf8,
        CancellationToken ct) where T : class
    {
        if (request.ContentLength > limit)
        {
            return (null, null, new(Problems.TooLarge("body", limit)));
        }

        if (request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, null, new(TypedResults.Problem(title: "Unsupported media type.", detail: "send the body as application/json",
                statusCode: StatusCodes.Status415UnsupportedMediaType)));
        }

        using var body = await Http.PooledBody.ReadAsync(request.Body, request.ContentLength, limit, ct);
        if (body.TooLarge)
        {
            return (null, null, new(Problems.TooLarge("body", limit)));
        }

        if (body.Length == 0)
        {
            return (null, null, new(Problems.Invalid("body", "a JSON body is required")));
        }

        try
        {
            // The body is in memory: a synchronous reader over it, with pooled character buffers, costs a fraction of the async one.
            var bytes = body.Span;
            if (bytes.StartsWith(System.Text.Encoding.UTF8.Preamble))
            {
                bytes = bytes[3..];
            }

            if (fromUtf8?.Invoke(bytes) is { } shaped)
            {
                return (shaped, null, default);
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
                    return (null, null, new(Problems.Invalid("body", $"malformed JSON: unexpected content after the end at line {reader.LineNumber}, position {reader.LinePosition}")));
                }
            }

            return (null, token, default);
        }
        catch (JsonReaderException ex)
        {
            var path = string.IsNullOrEmpty(ex.Path) ? "body" : ex.Path;
            var message = ex.Message;
            var cut = message.IndexOf(" Path '", StringComparison.Ordinal);
            return (null, null, new(Problems.Invalid(path, $"malformed JSON at line {ex.LineNumber}, position {ex.LinePosition}: {(cut > 0 ? message[..cut] : message)}")));
        }
    }

    /// <summary>
    /// Reads and converts to <typeparamref name="T"/>, reporting the property that does not fit. <paramref name="direct"/>
    /// may build the value from the object itself when its shape is the ordinary one (null: let the serializer do it,
    /// with its conversions and error messages); the serializer was the larger part of reading a chat message.
    /// <paramref name="fromUtf8"/> goes first, on the bytes, before any object is built.
    /// </summary>
    public static async Task<(T? Value, ProblemHttpResultOrNull Problem)> ReadAsync<T>(HttpRequest request, CancellationToken ct, int limit = DefaultLimit,
        Func<JObject, T?>? direct = null, Utf8Shape<T>? fromUtf8 = null) where T : class
    {
        var (shaped, token, problem) = await ReadCoreAsync(request, limit, fromUtf8, ct);
        if (shaped is not null)
        {
            return (shaped, default);
        }

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
