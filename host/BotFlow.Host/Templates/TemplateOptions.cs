using System.ComponentModel.DataAnnotations;

namespace BotFlow.Host.Templates;

/// <summary>Limits for the Scriban templates admins write in block texts and requests. Section <c>BotFlow:Templates</c>.</summary>
public sealed class TemplateOptions
{
    public const string Section = "BotFlow:Templates";

    /// <summary>Iterations one loop may run. Default 1,000; past it the render fails with "loop limit".</summary>
    [Range(1, 1_000_000)] public int LoopLimit { get; set; } = 1_000;

    /// <summary>Nested function calls. Default 20 (hardening.md: 20–50).</summary>
    [Range(1, 50)] public int RecursiveLimit { get; set; } = 20;

    /// <summary>Characters one render may produce. Default 65,536; past it the render fails.</summary>
    [Range(1, 10_000_000)] public int OutputLimit { get; set; } = 64 * 1024;

    /// <summary>Time one regex function may take. Default 100 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:01")] public TimeSpan RegexTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Parsed templates kept in memory. Default 10,000; the cache starts over when full.</summary>
    [Range(10, 1_000_000)] public int CacheSize { get; set; } = 10_000;

    /// <summary>Longest template source accepted. Default 64 KiB.</summary>
    [Range(1, 1_048_576)] public int MaxSourceLength { get; set; } = 64 * 1024;
}
