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
        }
    }

    public bool IsEmpty => _values.Count == 0;

    public string Apply(string? text)
    {
        if (string.IsNullOrEmpty(text) || _values.Count == 0)
        {
            return text ?? "";
        }

        foreach (var value in _values)
        {
            if (text.Contains(value, StringComparison.Ordinal))
            {
                text = text.Replace(value, Mask, StringComparison.Ordinal);
            }

            var escaped = Uri.EscapeDataString(value);
            if (escaped != value && text.Contains(escaped, StringComparison.Ordinal))
            {
                text = text.Replace(escaped, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
