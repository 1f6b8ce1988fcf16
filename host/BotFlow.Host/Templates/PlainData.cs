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
        JValue { Type: JTokenType.Integer } v => v.Value is System.Numerics.BigInteger big ? (decimal)big : Convert.ToInt64(v.Value, CultureInfo.InvariantCulture),
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
        if (string.IsNullOrEmpty(json))
        {
            return new Dictionary<string, object?>(StringComparer.Ordinal);
        }

        return FromToken(Parse(json)) as Dictionary<string, object?> ?? new Dictionary<string, object?>(StringComparer.Ordinal);
    }

    public static JToken Parse(string json)
    {
        using var reader = new JsonTextReader(new StringReader(json))
        {
            MaxDepth = JsonDefaults.MaxDepth, DateParseHandling = DateParseHandling.None, FloatParseHandling = FloatParseHandling.Decimal,
        };
        return JToken.ReadFrom(reader);
    }

    public static string ToJson(object? value) => JsonConvert.SerializeObject(value, Formatting.None, JsonDefaults.Settings);

    /// <summary>Text of a value inside a message: numbers invariant, booleans lower-case, objects and arrays as compact JSON.</summary>
    public static string ToText(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IDictionary or IList => JsonConvert.SerializeObject(value, Formatting.None),
        _ => value.ToString() ?? "",
    };
}
