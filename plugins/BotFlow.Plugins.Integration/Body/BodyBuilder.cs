using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace BotFlow.Plugins.Integration.Body;

/// <summary>
/// One body row of an Integration block, ready to build: <see cref="Value"/> is the rendered template of a text row;
/// <see cref="FieldValue"/> is the registration field's typed value when <see cref="IsField"/> is set.
/// </summary>
/// <param name="Key">The key in bracket notation, e.g. <c>deal[name]</c>.</param>
/// <param name="Value">The rendered text of a text row; ignored for field rows.</param>
/// <param name="Type">string (default), number, boolean, null or json, case-insensitive; on a field row it converts the field's text.</param>
/// <param name="FieldValue">The field's value for field rows: a number, bool, string or null.</param>
/// <param name="IsField">True for a <c>{ "key", "field" }</c> row.</param>
internal readonly record struct BodyRow(string Key, string? Value, string? Type, object? FieldValue = null, bool IsField = false);

/// <summary>A problem with one body row; <see cref="Row"/> is the row's 0-based index.</summary>
internal readonly record struct BodyError(int Row, string Message);

/// <summary>
/// The built body as the UTF-8 JSON that is sent and as plain data (dictionaries, lists, scalars) for the editor and the
/// execution history, or every error found. <see cref="Utf8"/> is null exactly when there are errors.
/// </summary>
internal sealed record BodyBuildResult(byte[]? Utf8, IReadOnlyList<BodyError> Errors)
{
    /// <summary>
    /// The body as plain data, read back from <see cref="Utf8"/> (tests; a run keeps the bytes, see
    /// <c>BuiltRequest.BodyPreview</c>, and never builds the body twice).
    /// </summary>
    public object? Plain => Text is { } text ? JsonPlain.ParsePlain(text) : null;

    [MemberNotNullWhen(true, nameof(Utf8), nameof(Text))]
    public bool Succeeded => Utf8 is not null;

    /// <summary>The JSON as text (tests and messages; the request sends <see cref="Utf8"/>).</summary>
    public string? Text => Utf8 is null ? null : System.Text.Encoding.UTF8.GetString(Utf8);
}

/// <summary>Builds an Integration block's request body from its rows (integration-block.md, "Request" and "Body keys").</summary>
internal static class BodyBuilder
{
    private const int MaxJsonDepth = 64;

    private enum RowType : byte { Default, String, Number, Boolean, Null, Json, Unknown }

    /// <summary>Builds the JSON body, reporting every row error rather than stopping at the first.</summary>
    internal static BodyBuildResult Build(IReadOnlyList<BodyRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var keys = new string[rows.Count];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = rows[i].Key ?? string.Empty;
        }

        return BodyPlan.Compile(keys).Build(rows);
    }

    /// <summary>
    /// The rows as <c>application/x-www-form-urlencoded</c> pairs: keys trimmed but otherwise as written (brackets
    /// kept), values as text. Keys are not validated here: that happens when the flow is saved.
    /// </summary>
    internal static IReadOnlyList<KeyValuePair<string, string>> BuildForm(IReadOnlyList<BodyRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var pairs = new KeyValuePair<string, string>[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            BodyRow row = rows[i];
            bool isNull = TryParseType(row.Type, out RowType type) && type == RowType.Null;
            string value = isNull ? string.Empty : row.IsField ? FieldText(row.FieldValue) : row.Value ?? string.Empty;
            pairs[i] = new KeyValuePair<string, string>(row.Key?.Trim() ?? string.Empty, value);
        }

        return pairs;
    }

    /// <summary>
    /// Converts a row's value to what its type asks for: null, a string, bool, long, ulong, decimal, double, float,
    /// <see cref="BigInteger"/> or (type json) a <see cref="JToken"/>, written as <see cref="JValue"/> would write it.
    /// Null with <paramref name="error"/> when it cannot.
    /// </summary>
    internal static object? ConvertValue(in BodyRow row, string key, out string? error)
    {
        if (!TryParseType(row.Type, out RowType type))
        {
            error = $"unknown type '{row.Type!.Trim()}' for key '{key}': use string, number, boolean, null or json";
            return null;
        }

        if (row.IsField && type == RowType.Default)
        {
            return FromField(row.FieldValue, key, out error);
        }

        // Values are not echoed in messages: a rendered value may hold a secret.
        string text = row.IsField ? FieldText(row.FieldValue) : row.Value ?? string.Empty;
        error = null;
        switch (type)
        {
            case RowType.Null:
                return null;
            case RowType.Number:
                object? number = ParseNumber(text);
                if (number is null)
                {
                    error = text.AsSpan().Trim().IsEmpty
                        ? $"the value of key '{key}' is empty, but type 'number' needs a number"
                        : $"the value of key '{key}' is not a number (type 'number'): use digits with '.' for decimals, e.g. 150.50";
                }

                return number;
            case RowType.Boolean:
                ReadOnlySpan<char> flag = text.AsSpan().Trim();
                if (flag.Equals("true", StringComparison.OrdinalIgnoreCase))
                {
                    return True;
                }

                if (flag.Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    return False;
                }

                error = $"the value of key '{key}' is not a boolean (type 'boolean'): use true or false";
                return null;
            case RowType.Json:
                return ParseJson(text, key, out error);
            default:
                return text;
        }
    }

    // Boxed once: a boolean row would otherwise box on every request.
    private static readonly object True = true;
    private static readonly object False = false;

    private static bool TryParseType(string? text, out RowType type)
    {
        ReadOnlySpan<char> name = text.AsSpan().Trim();
        type = name.IsEmpty ? RowType.Default
            : Is(name, "string") ? RowType.String
            : Is(name, "number") ? RowType.Number
            : Is(name, "boolean") ? RowType.Boolean
            : Is(name, "null") ? RowType.Null
            : Is(name, "json") ? RowType.Json
            : RowType.Unknown;
        return type != RowType.Unknown;

        static bool Is(ReadOnlySpan<char> name, string type) => name.Equals(type, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A field row without a type keeps the field's own type (smaller integers widen to long, as in a <see cref="JValue"/>).</summary>
    private static object? FromField(object? value, string key, out string? error)
    {
        error = null;
        switch (value)
        {
            case null:
                return null;
            case string s:
                return s.Length == 0 ? null : s;
            case bool b:
                return b ? True : False;
            case decimal d:
                return Number(d);
            case double d when double.IsFinite(d):
                return value;
            case float f when float.IsFinite(f):
                return value;
            case long:
            case ulong:
                return value;
            case int i:
                return (long)i;
            case short s:
                return (long)s;
            case byte b:
                return (long)b;
            case sbyte b:
                return (long)b;
            case ushort u:
                return (long)u;
            case uint u:
                return (long)u;
            case double or float:
                error = $"the field of key '{key}' holds a number that JSON cannot represent (NaN or infinity)";
                return null;
            default:
                error = $"the field of key '{key}' holds a {value.GetType().Name}, which has no JSON type: set the row's type to 'string' to send it as text";
                return null;
        }
    }

    /// <summary>A field's value as text: numbers in invariant culture, booleans lower-case, null as empty.</summary>
    private static string FieldText(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static object? ParseNumber(string text)
    {
        ReadOnlySpan<char> s = text.AsSpan().Trim();
        if (s.IsEmpty)
        {
            return null;
        }

        // decimal keeps what was written (150.50 stays 150.50) and is exact for money; it rounds values below
        // 1e-28 to zero and overflows above ~7.9e28, and for those double is the better approximation.
        if (decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d) && (d != 0 || !HasNonZeroDigit(s)))
        {
            return Number(d);
        }

        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x)
            ? x
            : null;
    }

    /// <summary>Whole numbers become integers: Newtonsoft writes a decimal 2 as "2.0", which integer-typed APIs may refuse.</summary>
    private static object Number(decimal value)
    {
        if (value.Scale != 0)
        {
            return value;
        }

        return value >= long.MinValue && value <= long.MaxValue ? (long)value : new BigInteger(value);
    }

    private static bool HasNonZeroDigit(ReadOnlySpan<char> number)
    {
        foreach (char c in number)
        {
            if (c is 'e' or 'E')
            {
                return false;
            }

            if (c is >= '1' and <= '9')
            {
                return true;
            }
        }

        return false;
    }

    private static JToken? ParseJson(string text, string key, out string? error)
    {
        try
        {
            // Decimal keeps money exact and refuses 1e400, which as a double would be written as the non-JSON "Infinity".
            using var reader = new JsonTextReader(new StringReader(text))
            {
                MaxDepth = MaxJsonDepth,
                DateParseHandling = DateParseHandling.None,
                FloatParseHandling = FloatParseHandling.Decimal,
            };
            JToken token = JToken.ReadFrom(reader);
            while (reader.Read())
            {
                if (reader.TokenType != JsonToken.Comment)
                {
                    error = $"the value of key '{key}' is not valid JSON (type 'json'): unexpected text after the JSON value";
                    return null;
                }
            }

            error = null;
            return token;
        }
        catch (JsonException ex)
        {
            error = $"the value of key '{key}' is not valid JSON (type 'json'): {ex.Message}";
            return null;
        }
    }
}
