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
