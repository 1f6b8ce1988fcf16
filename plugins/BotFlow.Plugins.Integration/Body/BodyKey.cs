using System.Globalization;

namespace BotFlow.Plugins.Integration.Body;

/// <summary>What one <c>[...]</c> part of a body key addresses.</summary>
internal enum BodySegmentKind : byte
{
    /// <summary>An object property: <c>[name]</c>.</summary>
    Property,

    /// <summary>An array element by 0-based index: <c>[0]</c>.</summary>
    Index,

    /// <summary>A new element at the end of an array: <c>[]</c> (last segment only).</summary>
    Append,
}

/// <summary>One <c>[...]</c> of a body key: a property name, an array index or an append.</summary>
internal readonly record struct BodySegment
{
    private BodySegment(BodySegmentKind kind, string? name, int index)
    {
        Kind = kind;
        Name = name;
        Index = index;
    }

    public BodySegmentKind Kind { get; }

    /// <summary>The property name when <see cref="Kind"/> is <see cref="BodySegmentKind.Property"/>, else null.</summary>
    public string? Name { get; }

    /// <summary>The index when <see cref="Kind"/> is <see cref="BodySegmentKind.Index"/>, else -1.</summary>
    public int Index { get; }

    public static BodySegment Append { get; } = new(BodySegmentKind.Append, null, -1);

    public static BodySegment ForProperty(string name) => new(BodySegmentKind.Property, name, -1);

    public static BodySegment ForIndex(int index) => new(BodySegmentKind.Index, null, index);

    public override string ToString() => Kind switch
    {
        BodySegmentKind.Property => "[" + Name + "]",
        BodySegmentKind.Index => "[" + Index.ToString(CultureInfo.InvariantCulture) + "]",
        _ => "[]",
    };
}

/// <summary>
/// A body key in bracket notation (<c>contacts[0][emails][0][email]</c>), parsed by the rules of
/// integration-block.md, "Body keys". Used when a block's body plan is compiled (<see cref="BodyPlan"/>) and at flow-save time to
/// validate keys, so error messages are written for the admin who typed the key.
/// </summary>
/// <param name="Name">The part before the first <c>[</c>; always a property of the top-level object.</param>
/// <param name="Segments">The <c>[...]</c> parts after the name, in order.</param>
/// <param name="Normalized">The key without leading/trailing whitespace.</param>
internal readonly record struct BodyKey(string Name, IReadOnlyList<BodySegment> Segments, string Normalized)
{
    /// <summary>The largest array index a key may use.</summary>
    internal const int MaxIndex = 999;

    /// <summary>
    /// Parses <paramref name="key"/>. On failure <paramref name="parsed"/> is <c>default</c> and
    /// <paramref name="error"/> explains the problem; on success <paramref name="error"/> is empty.
    /// </summary>
    private sealed record ParseResult(bool Succeeded, BodyKey Key, string Error);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<string, ParseResult> Parsed = new();

    /// <summary>
    /// <see cref="TryParse"/> remembered per key string: a block's configuration keeps the same string objects for as
    /// long as its flow version is loaded, so each key is parsed once instead of on every request, and the entry goes
    /// with the configuration.
    /// </summary>
    internal static bool TryParseOnce(string key, out BodyKey parsed, out string error)
    {
        var result = Parsed.GetValue(key, static k => TryParse(k, out var p, out var e) ? new ParseResult(true, p, e) : new ParseResult(false, p, e));
        parsed = result.Key;
        error = result.Error;
        return result.Succeeded;
    }

    internal static bool TryParse(string? key, out BodyKey parsed, out string error)
    {
        parsed = default;
        string text = key is null ? string.Empty : key.Trim();
        if (text.Length == 0)
        {
            error = "the key is empty: write a name such as 'deal' or 'deal[name]'";
            return false;
        }

        int open = text.IndexOf('[', StringComparison.Ordinal);
        int nameEnd = open < 0 ? text.Length : open;
        if (text.AsSpan(0, nameEnd).Contains(']'))
        {
            return Malformed(text, "a ']' has no matching '['", out error);
        }

        if (nameEnd == 0)
        {
            return Malformed(text, "it must start with a name before the first '[', e.g. 'deal[name]'", out error);
        }

        string name = text[..nameEnd];
        if (open < 0)
        {
            parsed = new BodyKey(name, [], text);
            error = string.Empty;
            return true;
        }

        // In a valid key every '[' opens exactly one segment, so counting them sizes the array once.
        var segments = new BodySegment[text.AsSpan(open).Count('[')];
        int count = 0;
        int pos = open;
        while (pos < text.Length)
        {
            if (text[pos] != '[')
            {
                return Malformed(text, "after a ']' only another '[...]' may follow", out error);
            }

            int start = pos + 1;
            int length = text.AsSpan(start).IndexOfAny('[', ']');
            if (length < 0 || text[start + length] == '[')
            {
                return Malformed(text, "a '[' is not closed", out error);
            }

            int end = start + length;
            ReadOnlySpan<char> content = text.AsSpan(start, length);
            if (content.IsEmpty)
            {
                if (end + 1 < text.Length && text[end + 1] == '[')
                {
                    return Malformed(text, "'[]' (add to the end of a list) must be the last part of the key", out error);
                }

                segments[count++] = BodySegment.Append;
            }
            else if (IsAsciiDigits(content))
            {
                if (content.Length > 1 && content[0] == '0')
                {
                    error = $"invalid index in key '{text}': an array index has no leading zeros ('[{content}]')";
                    return false;
                }

                // More than three digits is above MaxIndex; checking the length first also rules out overflow.
                int index = content.Length <= 3 ? int.Parse(content, provider: CultureInfo.InvariantCulture) : int.MaxValue;
                if (index > MaxIndex)
                {
                    error = $"invalid index in key '{text}': an array index is at most {MaxIndex} ('[{content}]')";
                    return false;
                }

                segments[count++] = BodySegment.ForIndex(index);
            }
            else
            {
                segments[count++] = BodySegment.ForProperty(content.ToString());
            }

            pos = end + 1;
        }

        parsed = new BodyKey(name, segments, text);
        error = string.Empty;
        return true;
    }

    /// <summary>The key up to and including the segment at <paramref name="step"/> (0 = the name), for messages.</summary>
    internal string PathTo(int step)
    {
        if (step == 0)
        {
            return Name;
        }

        // Neither the name nor a segment contains ']', so the n-th ']' closes the n-th segment.
        int seen = 0;
        for (int i = Name.Length; i < Normalized.Length; i++)
        {
            if (Normalized[i] == ']' && ++seen == step)
            {
                return Normalized[..(i + 1)];
            }
        }

        return Normalized;
    }

    private static bool Malformed(string text, string why, out string error)
    {
        error = $"malformed key '{text}': {why}";
        return false;
    }

    private static bool IsAsciiDigits(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
