using System.Collections;

namespace BotFlow.Sdk.Data;

/// <summary>
/// A bracket path into plain JSON-like data, as admins write it in <c>save</c> rows and <c>{data[url]}</c>
/// placeholders: a name followed by zero or more <c>[segment]</c>s (<c>data[url]</c>, <c>items[0][id]</c>).
/// A digits-only segment indexes an array (or reads a property of that name from an object).
/// </summary>
public sealed class DataPath
{
    private readonly string[] _segments;

    private DataPath(string source, string[] segments)
    {
        Source = source;
        _segments = segments;
    }

    /// <summary>The path as written (trimmed).</summary>
    public string Source { get; }

    /// <summary>The name and then each segment.</summary>
    public IReadOnlyList<string> Segments => _segments;

    /// <summary>Parses <paramref name="text"/>; returns false with a reason for a malformed path.</summary>
    public static bool TryParse(string? text, out DataPath path, out string error)
    {
        path = null!;
        var s = text?.Trim() ?? "";
        if (s.Length == 0)
        {
            error = "empty path";
            return false;
        }

        var segments = new List<string>();
        var open = s.IndexOf('[');
        var name = open < 0 ? s : s[..open];
        if (name.Length == 0 || name.Contains(']'))
        {
            error = $"malformed path '{s}': it must start with a name";
            return false;
        }

        segments.Add(name);
        var i = open < 0 ? s.Length : open;
        while (i < s.Length)
        {
            if (s[i] != '[')
            {
                error = $"malformed path '{s}': text after ']' at position {i + 1}";
                return false;
            }

            var close = s.IndexOf(']', i + 1);
            if (close < 0)
            {
                error = $"malformed path '{s}': a '[' is not closed";
                return false;
            }

            var segment = s.Substring(i + 1, close - i - 1);
            if (segment.Length == 0 || segment.Contains('['))
            {
                error = $"malformed path '{s}': empty or nested segment";
                return false;
            }

            segments.Add(segment);
            i = close + 1;
        }

        path = new DataPath(s, segments.ToArray());
        error = "";
        return true;
    }

    /// <summary>
    /// Reads the value at this path from plain data (dictionaries with string keys, lists, scalars).
    /// Returns false when a step is missing: a key absent, an index out of range, or a scalar where a container was needed.
    /// </summary>
    public bool TryRead(object? data, out object? value)
    {
        var current = data;
        foreach (var segment in _segments)
        {
            switch (current)
            {
                case IReadOnlyDictionary<string, object?> map when map.TryGetValue(segment, out var next):
                    current = next;
                    break;
                case IDictionary<string, object?> map when map.TryGetValue(segment, out var next):
                    current = next;
                    break;
                case IList list when int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index):
                    if (index >= list.Count)
                    {
                        value = null;
                        return false;
                    }

                    current = list[index];
                    break;
                default:
                    value = null;
                    return false;
            }
        }

        value = current;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Source;
}
