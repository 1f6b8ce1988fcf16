using System.Globalization;
using BotFlow.Plugins.Integration.Scripts;
using Microsoft.Extensions.Configuration;

namespace BotFlow.Plugins.Integration;

/// <summary>Settings of the Integration plugin, read from <c>BotFlow:Integration</c> and <c>BotFlow:Scripts</c>.</summary>
public sealed class IntegrationOptions
{
    /// <summary>Header carrying the execution's stable key on every try; empty turns it off. Default <c>Idempotency-Key</c>.</summary>
    public string IdempotencyHeader { get; init; } = "Idempotency-Key";

    /// <summary>Largest response body read. Default 1 MiB.</summary>
    public long MaxResponseBytes { get; init; } = 1024 * 1024;

    /// <summary>Response body kept in the execution history. Default 64 KiB.</summary>
    public int HistoryBodyBytes { get; init; } = 64 * 1024;

    /// <summary>Upper bound of all inline tries together. Default 30 s.</summary>
    public TimeSpan InlineBudget { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First inline backoff; doubles per try. Default 250 ms.</summary>
    public TimeSpan InlineBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Script limits.</summary>
    public ScriptOptions Scripts { get; init; } = new();

    public static IntegrationOptions From(IConfiguration configuration)
    {
        var integration = configuration.GetSection("BotFlow:Integration");
        var scripts = configuration.GetSection("BotFlow:Scripts");
        var defaults = new IntegrationOptions();
        var scriptDefaults = new ScriptOptions();
        return new IntegrationOptions
        {
            IdempotencyHeader = integration["IdempotencyHeader"] ?? defaults.IdempotencyHeader,
            MaxResponseBytes = Long(integration["MaxResponseBytes"], defaults.MaxResponseBytes),
            HistoryBodyBytes = (int)Long(integration["HistoryBodyBytes"], defaults.HistoryBodyBytes),
            InlineBudget = Time(integration["InlineBudget"], defaults.InlineBudget),
            InlineBackoff = Time(integration["InlineBackoff"], defaults.InlineBackoff),
            Scripts = new ScriptOptions
            {
                Timeout = Time(scripts["Timeout"], scriptDefaults.Timeout),
                MemoryLimitBytes = Long(scripts["MemoryLimitBytes"], scriptDefaults.MemoryLimitBytes),
                MaxStatements = (int)Long(scripts["MaxStatements"], scriptDefaults.MaxStatements),
                MaxRecursionDepth = (int)Long(scripts["MaxRecursionDepth"], scriptDefaults.MaxRecursionDepth),
                RegexTimeout = Time(scripts["RegexTimeout"], scriptDefaults.RegexTimeout),
                MaxSourceLength = (int)Long(scripts["MaxSourceLength"], scriptDefaults.MaxSourceLength),
                MaxLogLines = (int)Long(scripts["MaxLogLines"], scriptDefaults.MaxLogLines),
            },
        };
    }

    private static long Long(string? text, long fallback) =>
        text is null ? fallback : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v
            : throw new InvalidOperationException($"'{text}' is not a positive whole number");

    private static TimeSpan Time(string? text, TimeSpan fallback) =>
        text is null ? fallback : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var v) && v > TimeSpan.Zero ? v
            : throw new InvalidOperationException($"'{text}' is not a positive time span (hh:mm:ss.fff)");
}
