using System.Globalization;

namespace BotFlow.Plugins.Integration;

/// <summary>A success-status list such as <c>200-299,404</c>.</summary>
public sealed class StatusRanges
{
    private readonly (int From, int To)[] _ranges;

    private StatusRanges((int, int)[] ranges) => _ranges = ranges;

    public static readonly StatusRanges Default = new([(200, 299)]);

    public bool Contains(int status)
    {
        // A loop, not Any(): a closure and a delegate on every call of every run.
        foreach (var (from, to) in _ranges)
        {
            if (status >= from && status <= to)
            {
                return true;
            }
        }

        return false;
    }

    public static bool TryParse(string? text, out StatusRanges ranges, out string error)
    {
        ranges = Default;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var list = new List<(int, int)>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = part.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length is 0 or > 2
                || !int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                || !int.TryParse(bounds[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var to)
                || from is < 100 or > 599 || to is < 100 or > 599 || to < from)
            {
                error = $"'{part}' is not a status or a range like 200-299 (statuses 100 to 599)";
                return false;
            }

            list.Add((from, to));
        }

        ranges = new StatusRanges(list.ToArray());
        return true;
    }
}
