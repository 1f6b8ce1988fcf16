using System.Globalization;
using System.Text;
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
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
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
                var map = new Dictionary<string, object?>(o.Count, StringComparer.Ordinal);
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
