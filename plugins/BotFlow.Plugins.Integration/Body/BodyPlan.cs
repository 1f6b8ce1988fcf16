using System.Buffers;
using System.Runtime.CompilerServices;
using Newtonsoft.Json.Linq;

namespace BotFlow.Plugins.Integration.Body;

/// <summary>
/// The shape of a JSON body, compiled once from its rows' keys: which objects and arrays the keys make, where each
/// row's value goes, and every problem the keys alone cause (malformed keys, duplicates, conflicts, gaps). The keys of a
/// block do not change between runs — only the values do — so a run converts the values and writes them straight into
/// the shape, instead of building a <see cref="JObject"/>, writing it out and copying it to plain data on every request.
/// </summary>
internal sealed class BodyPlan
{
    private enum Made : byte { Value, Object, Array, Hole }

    /// <summary>A place in the body; <see cref="Row"/> is the row that made it (for conflict messages).</summary>
    private class Node(int row, Made made)
    {
        public int Row { get; } = row;

        public Made Made { get; } = made;
    }

    private sealed class ObjectNode(int row) : Node(row, Made.Object)
    {
        public List<KeyValuePair<string, Node>> Properties { get; } = [];

        public Dictionary<string, Node> ByName { get; } = new(StringComparer.Ordinal);
    }

    private sealed class ArrayNode(int row) : Node(row, Made.Array)
    {
        public List<Node> Items { get; } = [];
    }

    /// <summary>Holes [From, Index) that a row left in an array; a later row may still fill them.</summary>
    private readonly record struct Gap(ArrayNode Array, int From, int Index, int Row, BodyKey Key, int Step);

    // Plans live as long as the configuration list they were compiled from: a flow version keeps the same list object
    // while it is loaded (a background try's `config with { ... }` copy shares it), and the entry goes with it.
    private static readonly ConditionalWeakTable<IReadOnlyList<BodyRowConfig>, BodyPlan> Compiled = new();

    private readonly ObjectNode _root = new(-1);
    private readonly string[] _keys;

    /// <summary>The key's normalized text per row, for value error messages; null where the key does not parse.</summary>
    private readonly string?[] _normalized;

    /// <summary>Per row: the key's own error (the value is then not converted) or the place error (after the value's).</summary>
    private readonly string?[] _keyErrors;
    private readonly string?[] _placeErrors;
    private readonly List<Gap> _gaps = [];
    private readonly List<BodyError> _gapErrors = [];

    private BodyPlan(string[] keys)
    {
        _keys = keys;
        _normalized = new string?[keys.Length];
        _keyErrors = new string?[keys.Length];
        _placeErrors = new string?[keys.Length];
    }

    /// <summary>The plan of a block's body rows, compiled on first use and then shared.</summary>
    internal static BodyPlan For(IReadOnlyList<BodyRowConfig> body) =>
        Compiled.GetValue(body, static rows => Compile(rows.Select(r => r.Key ?? string.Empty).ToArray()));

    internal static BodyPlan Compile(string[] keys)
    {
        var plan = new BodyPlan(keys);
        for (int row = 0; row < keys.Length; row++)
        {
            if (!BodyKey.TryParseOnce(keys[row], out BodyKey key, out string keyError))
            {
                plan._keyErrors[row] = keyError;
                continue;
            }

            plan._normalized[row] = key.Normalized;
            plan._placeErrors[row] = plan.Place(row, key);
        }

        plan.ReportGaps();
        return plan;
    }

    /// <summary>Converts the rows' values and writes them into the shape; every error of keys and values at once.</summary>
    internal BodyBuildResult Build(IReadOnlyList<BodyRow> rows)
    {
        if (rows.Count != _keys.Length)
        {
            throw new ArgumentException($"the plan has {_keys.Length} rows, not {rows.Count}", nameof(rows));
        }

        // The converted values live only while the body is written and copied: a pooled array, not one per run.
        var values = ArrayPool<object?>.Shared.Rent(rows.Count);
        try
        {
            return Build(rows, values);
        }
        finally
        {
            ArrayPool<object?>.Shared.Return(values, clearArray: true);
        }
    }

    private BodyBuildResult Build(IReadOnlyList<BodyRow> rows, object?[] values)
    {
        List<BodyError>? errors = null;
        for (int row = 0; row < rows.Count; row++)
        {
            if (_keyErrors[row] is { } keyError)
            {
                (errors ??= []).Add(new BodyError(row, keyError));
                continue;
            }

            // A value that fails still has its place, so the key's own problems are reported too.
            values[row] = BodyBuilder.ConvertValue(rows[row], _normalized[row]!, out string? valueError);
            if (valueError is not null)
            {
                (errors ??= []).Add(new BodyError(row, valueError));
            }

            if (_placeErrors[row] is { } placeError)
            {
                (errors ??= []).Add(new BodyError(row, placeError));
            }
        }

        if (_gapErrors.Count > 0)
        {
            // Gaps are only known at the end; OrderBy is stable, so each row's errors keep their order.
            return new BodyBuildResult(null, [.. (errors ?? []).Concat(_gapErrors).OrderBy(e => e.Row)]);
        }

        if (errors is not null)
        {
            return new BodyBuildResult(null, errors);
        }

        return new BodyBuildResult(Write(values), []);
    }

    /// <summary>Compact JSON in UTF-8, the text <c>JObject.ToString(Formatting.None)</c> writes for the same values.</summary>
    private byte[] Write(object?[] values)
    {
        using var writer = new JsonBodyWriter(64 + (values.Length * 32));
        Write(writer, _root, values);
        return writer.ToArray();
    }

    private static void Write(JsonBodyWriter writer, Node node, object?[] values)
    {
        switch (node)
        {
            case ObjectNode obj:
                writer.StartObject();
                for (var i = 0; i < obj.Properties.Count; i++)
                {
                    if (i > 0)
                    {
                        writer.Separator();
                    }

                    writer.PropertyName(obj.Properties[i].Key);
                    Write(writer, obj.Properties[i].Value, values);
                }

                writer.EndObject();
                return;
            case ArrayNode array:
                writer.StartArray();
                for (var i = 0; i < array.Items.Count; i++)
                {
                    if (i > 0)
                    {
                        writer.Separator();
                    }

                    Write(writer, array.Items[i], values);
                }

                writer.EndArray();
                return;
            default:
                writer.Value(values[node.Row]);
                return;
        }
    }

    /// <summary>Walks the key from the top-level object, creating what is missing, and marks the row's place.</summary>
    private string? Place(int row, in BodyKey key)
    {
        Node parent = _root;
        int last = key.Segments.Count;
        for (int step = 0; step <= last; step++)
        {
            BodySegment segment = step == 0 ? BodySegment.ForProperty(key.Name) : key.Segments[step - 1];
            Node? existing = null;
            if (segment.Kind == BodySegmentKind.Property)
            {
                ((ObjectNode)parent).ByName.TryGetValue(segment.Name!, out existing);
            }
            else if (segment.Kind == BodySegmentKind.Index)
            {
                existing = Slot((ArrayNode)parent, segment.Index, row, key, step);
            }

            bool hole = existing is { Made: Made.Hole };
            if (existing is null || hole)
            {
                Made made = step == last ? Made.Value : ContainerFor(key.Segments[step]);
                Node created = made switch
                {
                    Made.Object => new ObjectNode(row),
                    Made.Array => new ArrayNode(row),
                    _ => new Node(row, Made.Value),
                };
                if (segment.Kind == BodySegmentKind.Property)
                {
                    var obj = (ObjectNode)parent;
                    obj.Properties.Add(new(segment.Name!, created));
                    obj.ByName.Add(segment.Name!, created);
                }
                else if (hole)
                {
                    ((ArrayNode)parent).Items[segment.Index] = created;
                }
                else
                {
                    ((ArrayNode)parent).Items.Add(created);
                }

                if (step == last)
                {
                    return null;
                }

                parent = created;
                continue;
            }

            string otherKey = _keys[existing.Row].Trim();
            if (step == last)
            {
                return existing.Made == Made.Value
                    ? $"duplicate key '{key.Normalized}': an earlier row already sets it"
                    : $"conflict: key '{key.Normalized}' sets a value, but key '{otherKey}' already uses it as {Describe(existing.Made)}";
            }

            Made needed = ContainerFor(key.Segments[step]);
            if (existing.Made != needed)
            {
                string path = key.PathTo(step);
                return existing.Made == Made.Value
                    ? $"conflict: key '{key.Normalized}' needs '{path}' to be {Describe(needed)}, but key '{otherKey}' sets it to a value"
                    : $"conflict: key '{key.Normalized}' uses '{path}' as {Describe(needed)}, but key '{otherKey}' uses it as {Describe(existing.Made)}";
            }

            parent = existing;
        }

        return null;
    }

    /// <summary>The element at <paramref name="index"/>, or null when it is the next one; pads holes beyond that.</summary>
    private Node? Slot(ArrayNode array, int index, int row, in BodyKey key, int step)
    {
        if (index < array.Items.Count)
        {
            return array.Items[index];
        }

        // Rows may fill an array in any order, so a gap is only an error if it is still open at the end.
        if (index > array.Items.Count)
        {
            _gaps.Add(new Gap(array, array.Items.Count, index, row, key, step));
            while (array.Items.Count < index)
            {
                array.Items.Add(new Node(row, Made.Hole));
            }
        }

        return null;
    }

    private void ReportGaps()
    {
        foreach (Gap gap in _gaps)
        {
            for (int i = gap.From; i < gap.Index; i++)
            {
                if (gap.Array.Items[i].Made == Made.Hole)
                {
                    string array = gap.Key.PathTo(gap.Step - 1);
                    _gapErrors.Add(new BodyError(gap.Row, $"gap in array '{array}': key '{gap.Key.Normalized}' sets index {gap.Index}, but no row sets index {i} (indexes start at 0, without gaps)"));
                    break;
                }
            }
        }
    }

    /// <summary>What the segment before <paramref name="next"/> must be for <paramref name="next"/> to apply.</summary>
    private static Made ContainerFor(BodySegment next) =>
        next.Kind == BodySegmentKind.Property ? Made.Object : Made.Array;

    private static string Describe(Made made) => made == Made.Object ? "an object" : "an array";
}
