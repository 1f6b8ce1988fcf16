using System.Globalization;
using System.Text;
using BotFlow.Sdk.Data;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace BotFlow.Plugins.Integration;

/// <summary>Newtonsoft JSON to and from the plain data (dictionaries, lists, scalars) that contexts, templates and scripts share.</summary>
public static class JsonPlain
{
    public const int MaxDepth = 64;

    public static JToken Parse(string text)
    {
        using var reader = Reader(text);
        var token = JToken.ReadFrom(reader);
        EnsureNothingAfter(reader);
        return token;
    }

    /// <summary>The reader both routes use: depth limit, dates and decimals kept as written, buffers from the shared pool.</summary>
    private static JsonTextReader Reader(string text) => new(new StringReader(text))
    {
        MaxDepth = MaxDepth, DateParseHandling = DateParseHandling.None, FloatParseHandling = FloatParseHandling.Decimal,
        ArrayPool = CharPool.Instance,
    };

    /// <summary>Comments may follow the value; anything else is an error.</summary>
    private static void EnsureNothingAfter(JsonReader reader)
    {
        if (ReadSkippingComments(reader))
        {
            throw new JsonReaderException($"unexpected content after the JSON value at line {((IJsonLineInfo)reader).LineNumber}, position {((IJsonLineInfo)reader).LinePosition}");
        }
    }

    /// <summary>
    /// JSON text straight to plain data, the same values as <c>ToPlain(Parse(text))</c> without building a
    /// <see cref="JToken"/> tree first (a partner's answer is read on every call; the tree was most of its allocation).
    /// </summary>
    public static object? ParsePlain(string text)
    {
        using var reader = Reader(text);
        if (!ReadSkippingComments(reader))
        {
            // Empty or only comments: what JToken.ReadFrom reports.
            return ToPlain(Parse(text));
        }

        object? value;
        try
        {
            value = ReadValue(reader);
        }
        catch (UnusualToken)
        {
            // Constructors and other Newtonsoft extensions: rare enough to take the tree's way.
            return ToPlain(Parse(text));
        }

        EnsureNothingAfter(reader);
        return value;
    }

    private sealed class UnusualToken : Exception;

    /// <summary>
    /// <see cref="ParsePlain(string)"/> for a partner's answer whose bytes are UTF-8 (<paramref name="text"/> is the same
    /// answer decoded): read straight from the bytes when they are strict JSON of the ordinary kind, else from the text
    /// by <see cref="ParsePlain(string)"/>, so every value and every error is the one the text gives.
    /// </summary>
    public static object? ParsePlain(ReadOnlySpan<byte> utf8, string text) => TryParseStrict(utf8, out var value) ? value : ParsePlain(text);

    /// <summary>The byte route of <see cref="ParsePlain(ReadOnlySpan{byte}, string)"/>: false where it gives up.</summary>
    internal static bool TryParseStrict(ReadOnlySpan<byte> utf8, out object? value)
    {
        // The byte reader is stricter than Newtonsoft's (no single quotes, NaN, trailing commas, leading zeros or raw
        // control characters) and this reader gives up on anything whose value could differ between the two: numbers
        // with an exponent or out of long/decimal range, invalid escapes, deep nesting. Giving up costs one more read
        // of a rare answer; what it saves on the usual one is Newtonsoft's reader and its text buffers.
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(utf8, new System.Text.Json.JsonReaderOptions
            {
                CommentHandling = System.Text.Json.JsonCommentHandling.Skip, MaxDepth = FastMaxDepth + 1,
            });
            if (reader.Read())
            {
                value = ReadFast(ref reader, 0);
                if (!reader.Read())
                {
                    return true;
                }
            }
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or UnusualToken)
        {
        }

        value = null;
        return false;
    }

    // Well inside Newtonsoft's limit, so the two never disagree on what is too deep.
    private const int FastMaxDepth = 32;

    private static object? ReadFast(ref System.Text.Json.Utf8JsonReader reader, int depth)
    {
        switch (reader.TokenType)
        {
            case System.Text.Json.JsonTokenType.StartObject:
                if (depth == FastMaxDepth)
                {
                    throw new UnusualToken();
                }

                var map = new PlainMap();
                while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    reader.Read();
                    // Last one wins for a repeated name, in the first one's place, as in a JObject.
                    map[name] = ReadFast(ref reader, depth + 1);
                }

                return map;
            case System.Text.Json.JsonTokenType.StartArray:
                if (depth == FastMaxDepth)
                {
                    throw new UnusualToken();
                }

                var list = new List<object?>();
                while (reader.Read() && reader.TokenType != System.Text.Json.JsonTokenType.EndArray)
                {
                    list.Add(ReadFast(ref reader, depth + 1));
                }

                return list;
            case System.Text.Json.JsonTokenType.String:
                return reader.GetString();
            case System.Text.Json.JsonTokenType.Number:
                return FastNumber(reader.ValueSpan);
            case System.Text.Json.JsonTokenType.True:
                return True;
            case System.Text.Json.JsonTokenType.False:
                return False;
            case System.Text.Json.JsonTokenType.Null:
                return null;
            default:
                throw new UnusualToken();
        }
    }

    private static readonly object True = true;
    private static readonly object False = false;

    /// <summary>A JSON number as Newtonsoft reads it here (integers as long, the rest as decimal), or gives up.</summary>
    private static object FastNumber(ReadOnlySpan<byte> raw)
    {
        // Exponents, and integers past long, take Newtonsoft's way (its own decimal parser and BigInteger to double);
        // "-0" too (Newtonsoft's sign of zero is its own business). 20 characters hold every long and a decimal exactly.
        if (raw.Length > 20 || raw.IndexOfAny((byte)'e', (byte)'E') >= 0 || raw.SequenceEqual("-0"u8))
        {
            throw new UnusualToken();
        }

        if (raw.IndexOf((byte)'.') < 0)
        {
            return long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) ? whole : throw new UnusualToken();
        }

        return decimal.TryParse(raw, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var fraction)
            ? fraction
            : throw new UnusualToken();
    }

    private static bool ReadSkippingComments(JsonReader reader)
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
                var map = new PlainMap();
                while (ReadSkippingComments(reader) && reader.TokenType == JsonToken.PropertyName)
                {
                    var name = (string)reader.Value!;
                    if (!ReadSkippingComments(reader))
                    {
                        break;
                    }

                    // Last one wins for a repeated name, as in a JObject.
                    map[name] = ReadValue(reader);
                }

                return reader.TokenType == JsonToken.EndObject ? map : throw new UnusualToken();
            case JsonToken.StartArray:
                var list = new List<object?>();
                while (ReadSkippingComments(reader) && reader.TokenType != JsonToken.EndArray)
                {
                    list.Add(ReadValue(reader));
                }

                return reader.TokenType == JsonToken.EndArray ? list : throw new UnusualToken();
            case JsonToken.Null or JsonToken.Undefined:
                return null;
            case JsonToken.Integer:
                return reader.Value is System.Numerics.BigInteger big ? (object)(double)big : Convert.ToInt64(reader.Value, CultureInfo.InvariantCulture);
            case JsonToken.Float or JsonToken.Boolean:
                return reader.Value;
            case JsonToken.String:
                return (string?)reader.Value;
            default:
                throw new UnusualToken();
        }
    }

    /// <summary>Newtonsoft's reader buffers from the shared pool instead of new arrays per read.</summary>
    internal sealed class CharPool : IArrayPool<char>
    {
        public static readonly CharPool Instance = new();

        public char[] Rent(int minimumLength) => System.Buffers.ArrayPool<char>.Shared.Rent(minimumLength);

        public void Return(char[]? array)
        {
            if (array is not null)
            {
                System.Buffers.ArrayPool<char>.Shared.Return(array);
            }
        }
    }

    public static object? ToPlain(JToken? token)
    {
        switch (token)
        {
            case null:
                return null;
            case JObject o:
                var map = new PlainMap(o.Count);
                foreach (var p in o.Properties())
                {
                    map[p.Name] = ToPlain(p.Value);
                }

                return map;
            case JArray a:
                var list = new List<object?>(a.Count);
                foreach (var item in a)
                {
                    list.Add(ToPlain(item));
                }

                return list;
            case JValue { Type: JTokenType.Null or JTokenType.Undefined }:
                return null;
            case JValue { Type: JTokenType.Integer } v:
                return v.Value is System.Numerics.BigInteger big ? (object)(double)big : Convert.ToInt64(v.Value, CultureInfo.InvariantCulture);
            case JValue { Type: JTokenType.Float or JTokenType.Boolean } v:
                return v.Value;
            case JValue v:
                return Convert.ToString(v.Value, CultureInfo.InvariantCulture);
            default:
                return token.ToString(Formatting.None);
        }
    }

    public static JToken? FromPlain(object? value) => value switch
    {
        null => JValue.CreateNull(),
        JToken token => token,
        RawJson raw => Parse(raw.ToString()),
        IReadOnlyDictionary<string, object?> map => new JObject(map.Select(p => new JProperty(p.Key, FromPlain(p.Value)))),
        IDictionary<string, object?> map => new JObject(map.Select(p => new JProperty(p.Key, FromPlain(p.Value)))),
        string s => new JValue(s),
        System.Collections.IEnumerable list => new JArray(list.Cast<object?>().Select(FromPlain)),
        _ => new JValue(value),
    };

    /// <summary>Text of a value for a field or header: strings as they are, numbers invariant, booleans lower-case, the rest compact JSON.</summary>
    public static string ToText(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => FromPlain(value)!.ToString(Formatting.None),
    };

    public static string Compact(object? value) => FromPlain(value)!.ToString(Formatting.None);

    /// <summary>Cuts text at <paramref name="maxBytes"/> of UTF-8, marking the cut.</summary>
    public static string Truncate(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetMaxByteCount(text.Length) <= maxBytes)
        {
            return text;
        }

        var total = Encoding.UTF8.GetByteCount(text);
        if (total <= maxBytes)
        {
            return text;
        }

        var chars = Math.Min(text.Length, maxBytes);
        while (chars > 0 && Encoding.UTF8.GetByteCount(text.AsSpan(0, chars)) > maxBytes)
        {
            chars = chars * 9 / 10;
        }

        // Never half a surrogate pair; and one string, not a cut copy and then the joined one (each is large here).
        if (chars > 0 && char.IsHighSurrogate(text[chars - 1]))
        {
            chars--;
        }

        return string.Concat(text.AsSpan(0, chars), $"… [truncated, {total} bytes in all]");
    }
}
