using System.Collections;
using System.Globalization;
using BotFlow.Host.Storage;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Templates;

/// <summary>
/// Plain JSON-like data (string, decimal/double/long, bool, null, List, Dictionary) is what blocks, templates and
/// scripts exchange: never live host objects. These helpers convert it to and from stored JSON and to text.
/// </summary>
public static class PlainData
{
    public static object? FromToken(JToken? token) => token switch
    {
        null => null,
        JObject o => FromObject(o),
        JArray a => a.Select(FromToken).ToList(),
        JValue { Type: JTokenType.Null or JTokenType.Undefined } => null,
        JValue { Type: JTokenType.Integer } v => v.Value is System.Numerics.BigInteger big ? (object)(decimal)big : Convert.ToInt64(v.Value, CultureInfo.InvariantCulture),
        JValue { Type: JTokenType.Float } v => v.Value,
        JValue { Type: JTokenType.Boolean } v => v.Value,
        JValue v => v.ToString(CultureInfo.InvariantCulture),
        _ => token.ToString(Formatting.None),
    };

    private static Dictionary<string, object?> FromObject(JObject o)
    {
        var map = new Dictionary<string, object?>(o.Count, StringComparer.Ordinal);
        foreach (var p in o.Properties())
        {
            map[p.Name] = FromToken(p.Value);
        }

        return map;
    }

    public static Dictionary<string, object?> ParseObject(string? json)
    {
        // "{}" is what a new conversation stores for its variables: no reader for it on every first step.
        if (string.IsNullOrEmpty(json) || json == "{}")
        {
            return new Dictionary<string, object?>(StringComparer.Ordinal);
        }

        return ParsePlain(json) as Dictionary<string, object?> ?? new Dictionary<string, object?>(StringComparer.Ordinal);
    }

    /// <summary>Stored JSON straight to plain data, without building a JToken tree first (a step reads vars and the last response).</summary>
    public static object? ParsePlain(string json)
    {
        using var reader = Reader(json);
        if (!ReadSkippingComments(reader))
        {
            return null;
        }

        return ReadValue(reader);
    }

    private static JsonTextReader Reader(string json) => new(new StringReader(json))
    {
        MaxDepth = JsonDefaults.MaxDepth, DateParseHandling = DateParseHandling.None, FloatParseHandling = FloatParseHandling.Decimal,
        ArrayPool = JsonDefaults.CharPool,
    };

    private static bool ReadSkippingComments(JsonTextReader reader)
    {
        while (reader.Read())
        {
            if (reader.TokenType != JsonToken.Comment)
            {
                return true;
            }
        }

        return false;
    }

    private static object? ReadValue(JsonTextReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonToken.StartObject:
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                while (ReadSkippingComments(reader) && reader.TokenType == JsonToken.PropertyName)
                {
                    var name = (string)reader.Value!;
                    if (!ReadSkippingComments(reader))
                    {
                        throw new JsonReaderException("unexpected end of JSON after a property name");
                    }

                    map[name] = ReadValue(reader);
                }

                return map;
            case JsonToken.StartArray:
                var list = new List<object?>();
                while (ReadSkippingComments(reader) && reader.TokenType != JsonToken.EndArray)
                {
                    list.Add(ReadValue(reader));
                }

                return list;
            case JsonToken.Integer:
                return reader.Value is System.Numerics.BigInteger big ? (object)(decimal)big : Convert.ToInt64(reader.Value, CultureInfo.InvariantCulture);
            case JsonToken.Float or JsonToken.Boolean:
                return reader.Value;
            case JsonToken.Null or JsonToken.Undefined:
                return null;
            case JsonToken.String:
                return (string)reader.Value!;
            default:
                return Convert.ToString(reader.Value, CultureInfo.InvariantCulture);
        }
    }

    public static JToken Parse(string json)
    {
        using var reader = Reader(json);
        return JToken.ReadFrom(reader);
    }

    /// <summary>
    /// Plain data to compact JSON (<see cref="PlainJsonWriter"/>): dictionaries, lists and scalars written directly into
    /// a reused builder, anything else through the serializer, so the text is what Newtonsoft writes for the same value.
    /// </summary>
    public static string ToJson(object? value) => PlainJsonWriter.ToJson(value);

    private const string TextIsBody = "textIsBody";

    /// <summary>
    /// The partner response kept with a conversation (<c>response.*</c> for later blocks). When <c>text</c> is exactly
    /// the compact JSON of <c>body</c> — what most APIs send — only the body is stored, with <c>textIsBody</c>, and
    /// <see cref="ResponseFromJson"/> writes the text again: half the bytes for every JSON answer (a 16 KiB answer
    /// otherwise stores 35 KB per step; docs/benchmarks.md). Only bodies whose values survive a round trip unchanged
    /// (text, integers, decimals, booleans, null) are stored this way, so the rebuilt text is always the text received.
    /// </summary>
    public static string ResponseToJson(object response)
    {
        if (response is IReadOnlyDictionary<string, object?> map && map.TryGetValue("text", out var t) && t is string text
            && map.TryGetValue("body", out var body) && body is IReadOnlyDictionary<string, object?> or List<object?> && !map.ContainsKey(TextIsBody)
            && RoundTrips(body))
        {
            // The body is written once, into the output itself, and compared there with the text: for a large answer a
            // separate copy of its JSON was one more large-object-heap string per step.
            var output = PlainJsonWriter.Rent();
            output.Append('{');
            var bodyStart = -1;
            var bodyLength = 0;
            foreach (var (key, item) in map)
            {
                if (key == "text")
                {
                    continue;
                }

                PlainJsonWriter.WriteString(output, key);
                output.Append(':');
                var start = output.Length;
                PlainJsonWriter.Write(output, item);
                if (key == "body")
                {
                    (bodyStart, bodyLength) = (start, output.Length - start);
                }

                output.Append(',');
            }

            if (bodyLength == text.Length && RegionEquals(output, bodyStart, text))
            {
                PlainJsonWriter.WriteString(output, TextIsBody);
                output.Append(":true}");
                return PlainJsonWriter.ToStringAndReturn(output);
            }

            output.Clear();
            PlainJsonWriter.Write(output, response);
            return PlainJsonWriter.ToStringAndReturn(output);
        }

        return ToJson(response);
    }

    /// <summary>Whether the builder holds <paramref name="text"/> from <paramref name="start"/> on, chunk by chunk (no copy).</summary>
    private static bool RegionEquals(System.Text.StringBuilder builder, int start, string text)
    {
        var position = 0;
        var matched = 0;
        foreach (var chunk in builder.GetChunks())
        {
            var span = chunk.Span;
            var chunkStart = position;
            position += span.Length;
            if (position <= start)
            {
                continue;
            }

            var from = Math.Max(0, start - chunkStart);
            var take = Math.Min(span.Length - from, text.Length - matched);
            if (!span.Slice(from, take).SequenceEqual(text.AsSpan(matched, take)))
            {
                return false;
            }

            matched += take;
            if (matched == text.Length)
            {
                return true;
            }
        }

        return matched == text.Length;
    }

    /// <summary>A stored response back to plain data, with <c>text</c> rebuilt where <see cref="ResponseToJson"/> left it out.</summary>
    public static object? ResponseFromJson(string json)
    {
        var value = ParsePlain(json);
        if (value is not Dictionary<string, object?> map || !map.Remove(TextIsBody, out var flag) || flag is not true || !map.ContainsKey("body"))
        {
            return value;
        }

        // The text goes back right after the body, where the Integration block puts it.
        var rebuilt = new Dictionary<string, object?>(map.Count + 1, StringComparer.Ordinal);
        foreach (var (key, item) in map)
        {
            rebuilt[key] = item;
            if (key == "body")
            {
                rebuilt["text"] = ToJson(item);
            }
        }

        return rebuilt;
    }

    private static bool RoundTrips(object? value)
    {
        switch (value)
        {
            case null or string or long or decimal or bool:
                return true;
            case IReadOnlyDictionary<string, object?> map:
                foreach (var (_, item) in map)
                {
                    if (!RoundTrips(item))
                    {
                        return false;
                    }
                }

                return true;
            case List<object?> list:
                foreach (var item in list)
                {
                    if (!RoundTrips(item))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>Text of a value inside a message: numbers invariant, booleans lower-case, objects and arrays as compact JSON.</summary>
    public static string ToText(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        Sdk.Data.RawJson raw => raw.ToString(),
        IDictionary or IList => JsonConvert.SerializeObject(value, Formatting.None),
        _ => value.ToString() ?? "",
    };
}
