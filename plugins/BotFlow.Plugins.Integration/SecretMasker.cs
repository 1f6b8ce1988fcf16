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

    private readonly List<string> _values = [];

    // Each value as it appears in a URL too, escaped once when added rather than on every Apply.
    private readonly List<string?> _escaped = [];

    public SecretMasker(IEnumerable<string>? values = null)
    {
        foreach (var value in values ?? [])
        {
            Add(value);
        }
    }

    public void Add(string? value)
    {
        if (value is { Length: >= MinimumLength } && !_values.Contains(value))
        {
            _values.Add(value);
            // Longest first, so a secret that contains another is masked whole.
            _values.Sort((a, b) => b.Length.CompareTo(a.Length));
            _escaped.Clear();
            _escaped.AddRange(_values.Select(v => Uri.EscapeDataString(v) is var escaped && escaped != v ? escaped : null));
        }
    }

    public bool IsEmpty => _values.Count == 0;

    public string Apply(string? text)
    {
        if (string.IsNullOrEmpty(text) || _values.Count == 0)
        {
            return text ?? "";
        }

        for (var i = 0; i < _values.Count; i++)
        {
            var value = _values[i];
            if (text.Contains(value, StringComparison.Ordinal))
            {
                text = text.Replace(value, Mask, StringComparison.Ordinal);
            }

            if (_escaped[i] is { } escaped && text.Contains(escaped, StringComparison.Ordinal))
            {
                text = text.Replace(escaped, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
