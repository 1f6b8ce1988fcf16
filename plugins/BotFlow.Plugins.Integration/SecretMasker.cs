namespace BotFlow.Plugins.Integration;

/// <summary>
/// Replaces every secret value (and values derived from secrets, such as OAuth tokens and basic-auth strings) with
/// <c>***</c> in anything the block shows, logs or stores.
/// </summary>
public sealed class SecretMasker
{
    public const string Mask = "***";

    // Very short values would mask ordinary text ("1", "ok"); such secrets are weak anyway and still masked in headers.
    private const int MinimumLength = 4;

    /// <summary>The values, longest first (so a secret that contains another is masked whole), each with its URL-escaped form.</summary>
    private sealed class ValueSet(string[] values, string?[] escaped)
    {
        public string[] Values { get; } = values;

        public string?[] Escaped { get; } = escaped;

        /// <summary>
        /// Each value and each URL-escaped form in UTF-8 when JSON text always holds it as it is (printable ASCII other
        /// than the characters a JSON writer may escape); null for one JSON may spell otherwise. Made on first use: most
        /// runs never ask.
        /// </summary>
        public byte[]?[]? Verbatim { get; set; }
    }

    private ValueSet _set;

    public SecretMasker(IEnumerable<string>? values = null)
    {
        _set = Prepare(values ?? []);
    }

    private SecretMasker(ValueSet set)
    {
        _set = set;
    }

    /// <summary>
    /// A masker with the same values whose own additions (a run's OAuth token, its basic-auth string) do not reach this
    /// one: the store's secrets are prepared once per version of the secrets and each run forks them.
    /// </summary>
    public SecretMasker Fork() => new(_set);

    public void Add(string? value)
    {
        if (value is { Length: >= MinimumLength } && Array.IndexOf(_set.Values, value) < 0)
        {
            _set = Prepare([.. _set.Values, value]);
        }
    }

    private static ValueSet Prepare(IEnumerable<string> values)
    {
        var kept = values.Where(v => v is { Length: >= MinimumLength }).Distinct(StringComparer.Ordinal)
            .OrderByDescending(v => v.Length).ToArray();
        // Each value as it appears in a URL too, escaped once here rather than on every Apply.
        var escaped = Array.ConvertAll(kept, v => Uri.EscapeDataString(v) is var e && e != v ? e : null);
        return new ValueSet(kept, escaped);
    }

    public bool IsEmpty => _set.Values.Length == 0;

    /// <summary>
    /// Whether any value may occur in the JSON text <paramref name="utf8"/>: false only when none does, checked on the
    /// bytes without decoding them. A value JSON may escape (a quote, a backslash, a control, HTML-sensitive or
    /// non-ASCII character) always answers true, so the caller masks the decoded values the slow way.
    /// </summary>
    public bool MayOccurIn(ReadOnlySpan<byte> utf8)
    {
        var set = _set;
        if (set.Values.Length == 0)
        {
            return false;
        }

        // Each value and its URL-escaped form (Apply masks both), as JSON would hold them.
        var verbatim = set.Verbatim ??= [.. set.Values.Concat(set.Escaped.OfType<string>()).Select(v =>
            v.AsSpan().ContainsAnyExcept(JsonVerbatim) ? null : System.Text.Encoding.ASCII.GetBytes(v))];
        foreach (var value in verbatim)
        {
            if (value is null || utf8.IndexOf(value) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static readonly System.Buffers.SearchValues<char> JsonVerbatim = System.Buffers.SearchValues.Create(
        " !#$%()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    public string Apply(string? text)
    {
        var set = _set;
        if (string.IsNullOrEmpty(text) || set.Values.Length == 0)
        {
            return text ?? "";
        }

        for (var i = 0; i < set.Values.Length; i++)
        {
            var value = set.Values[i];
            if (text.Contains(value, StringComparison.Ordinal))
            {
                text = text.Replace(value, Mask, StringComparison.Ordinal);
            }

            if (set.Escaped[i] is { } escaped && text.Contains(escaped, StringComparison.Ordinal))
            {
                text = text.Replace(escaped, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
