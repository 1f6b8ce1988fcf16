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

/// <summary>The built body, or every error found. <see cref="Body"/> is null exactly when there are errors.</summary>
internal sealed record BodyBuildResult(JObject? Body, IReadOnlyList<BodyError> Errors)
{
    [MemberNotNullWhen(true, nameof(Body))]
    public bool Succeeded => Body is not null;
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
        return new JsonBuild(rows).Run();
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

    /// <summary>Converts a row's value to the token its type asks for; null with <paramref name="error"/> when it cannot.</summary>
    private static JToken? ConvertValue(in BodyRow row, string key, out string? error)
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
                return JValue.CreateNull();
            case RowType.Number:
                JToken? number = ParseNumber(text);
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
                    return new JValue(true);
                }

                if (flag.Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    return new JValue(false);
                }

                error = $"the value of key '{key}' is not a boolean (type 'boolean'): use true or false";
                return null;
            case RowType.Json:
                return ParseJson(text, key, out error);
            default:
                return new JValue(text);
        }
    }

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

    /// <summary>A field row without a type keeps the field's own type.</summary>
    private static JToken? FromField(object? value, string key, out string? error)
    {
        error = null;
        switch (value)
        {
            case null:
                return JValue.CreateNull();
            case string s:
                return s.Length == 0 ? JValue.CreateNull() : new JValue(s);
            case bool b:
                return new JValue(b);
            case decimal d:
                return Number(d);
            case double d when double.IsFinite(d):
                return new JValue(d);
            case float f when float.IsFinite(f):
                return new JValue(f);
            case long l:
                return new JValue(l);
            case int i:
                return new JValue(i);
            case short s:
                return new JValue(s);
            case byte b:
                return new JValue(b);
            case sbyte b:
                return new JValue(b);
            case ushort u:
                return new JValue(u);
            case uint u:
                return new JValue(u);
            case ulong u:
                return new JValue(u);
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

    private static JToken? ParseNumber(string text)
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
            ? new JValue(x)
            : null;
    }

    /// <summary>Whole numbers become integers: Newtonsoft writes a decimal 2 as "2.0", which integer-typed APIs may refuse.</summary>
    private static JValue Number(decimal value)
    {
        if (value.Scale != 0)
        {
            return new JValue(value);
        }

        return value >= long.MinValue && value <= long.MaxValue
            ? new JValue((long)value)
            : new JValue((object)new BigInteger(value));
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

    /// <summary>The state of one <see cref="Build"/> call.</summary>
    private sealed class JsonBuild(IReadOnlyList<BodyRow> rows)
    {
        private enum Made : byte { Value, Object, Array, Hole }

        /// <summary>Which row put a token in the body and as what.</summary>
        private readonly record struct Origin(int Row, Made Made);

        /// <summary>Holes [From, Index) that a row left in an array; a later row may still fill them.</summary>
        private readonly record struct Gap(JArray Array, int From, int Index, int Row, BodyKey Key, int Step);

        private readonly JObject _root = new();

        // Tells the containers that keys build apart from values (a "json" value may be an object too),
        // and lets a conflict message name the other key. Keyed by reference: JValue equality is by value.
        private readonly Dictionary<JToken, Origin> _origins = new(rows.Count * 2, ReferenceEqualityComparer.Instance);

        private List<Gap>? _gaps;
        private List<BodyError>? _errors;

        public BodyBuildResult Run()
        {
            for (int row = 0; row < rows.Count; row++)
            {
                BodyRow bodyRow = rows[row];
                if (!BodyKey.TryParseOnce(bodyRow.Key ?? string.Empty, out BodyKey key, out string keyError))
                {
                    AddError(row, keyError);
                    continue;
                }

                // A value that fails still takes its place, so the key's own problems are reported too.
                JToken? value = ConvertValue(bodyRow, key.Normalized, out string? valueError);
                if (valueError is not null)
                {
                    AddError(row, valueError);
                }

                string? placeError = Place(row, key, value ?? JValue.CreateNull());
                if (placeError is not null)
                {
                    AddError(row, placeError);
                }
            }

            ReportGaps();
            if (_errors is null)
            {
                return new BodyBuildResult(_root, []);
            }

            // Gaps are only known at the end; OrderBy is stable, so each row's errors keep their order.
            return new BodyBuildResult(null, _gaps is null ? _errors : [.. _errors.OrderBy(e => e.Row)]);
        }

        /// <summary>Walks the key from the top-level object, creating what is missing, and sets the value.</summary>
        private string? Place(int row, in BodyKey key, JToken value)
        {
            JContainer parent = _root;
            int last = key.Segments.Count;
            for (int step = 0; step <= last; step++)
            {
                BodySegment segment = step == 0 ? BodySegment.ForProperty(key.Name) : key.Segments[step - 1];
                JToken? existing = null;
                if (segment.Kind == BodySegmentKind.Property)
                {
                    ((JObject)parent).TryGetValue(segment.Name!, out existing);
                }
                else if (segment.Kind == BodySegmentKind.Index)
                {
                    existing = Slot((JArray)parent, segment.Index, row, key, step);
                }

                bool hole = existing is not null && _origins[existing].Made == Made.Hole;
                if (existing is null || hole)
                {
                    Made made = step == last ? Made.Value : ContainerFor(key.Segments[step]);
                    JToken created = made switch
                    {
                        Made.Object => new JObject(),
                        Made.Array => new JArray(),
                        _ => value,
                    };
                    _origins[created] = new Origin(row, made);
                    if (segment.Kind == BodySegmentKind.Property)
                    {
                        ((JObject)parent).Add(segment.Name!, created);
                    }
                    else if (hole)
                    {
                        ((JArray)parent)[segment.Index] = created;
                    }
                    else
                    {
                        ((JArray)parent).Add(created);
                    }

                    if (step == last)
                    {
                        return null;
                    }

                    parent = (JContainer)created;
                    continue;
                }

                Origin other = _origins[existing];
                string otherKey = rows[other.Row].Key.Trim();
                if (step == last)
                {
                    return other.Made == Made.Value
                        ? $"duplicate key '{key.Normalized}': an earlier row already sets it"
                        : $"conflict: key '{key.Normalized}' sets a value, but key '{otherKey}' already uses it as {Describe(other.Made)}";
                }

                Made needed = ContainerFor(key.Segments[step]);
                if (other.Made != needed)
                {
                    string path = key.PathTo(step);
                    return other.Made == Made.Value
                        ? $"conflict: key '{key.Normalized}' needs '{path}' to be {Describe(needed)}, but key '{otherKey}' sets it to a value"
                        : $"conflict: key '{key.Normalized}' uses '{path}' as {Describe(needed)}, but key '{otherKey}' uses it as {Describe(other.Made)}";
                }

                parent = (JContainer)existing;
            }

            return null;
        }

        /// <summary>The element at <paramref name="index"/>, or null when it is the next one; pads holes beyond that.</summary>
        private JToken? Slot(JArray array, int index, int row, in BodyKey key, int step)
        {
            if (index < array.Count)
            {
                return array[index];
            }

            // Rows may fill an array in any order, so a gap is only an error if it is still open at the end.
            if (index > array.Count)
            {
                (_gaps ??= []).Add(new Gap(array, array.Count, index, row, key, step));
                while (array.Count < index)
                {
                    JValue hole = JValue.CreateNull();
                    _origins[hole] = new Origin(row, Made.Hole);
                    array.Add(hole);
                }
            }

            return null;
        }

        private void ReportGaps()
        {
            if (_gaps is null)
            {
                return;
            }

            foreach (Gap gap in _gaps)
            {
                for (int i = gap.From; i < gap.Index; i++)
                {
                    if (_origins[gap.Array[i]].Made == Made.Hole)
                    {
                        string array = gap.Key.PathTo(gap.Step - 1);
                        AddError(gap.Row, $"gap in array '{array}': key '{gap.Key.Normalized}' sets index {gap.Index}, but no row sets index {i} (indexes start at 0, without gaps)");
                        break;
                    }
                }
            }
        }

        /// <summary>What the segment before <paramref name="next"/> must be for <paramref name="next"/> to apply.</summary>
        private static Made ContainerFor(BodySegment next) =>
            next.Kind == BodySegmentKind.Property ? Made.Object : Made.Array;

        private static string Describe(Made made) => made == Made.Object ? "an object" : "an array";

        private void AddError(int row, string message) => (_errors ??= []).Add(new BodyError(row, message));
    }
}
