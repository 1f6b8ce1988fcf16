using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Hangfire;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Contacts;

/// <summary>How long execution history and message logs are kept (LGPD). Section <c>BotFlow:Retention</c>.</summary>
public sealed class RetentionOptions
{
    public const string Section = "BotFlow:Retention";

    /// <summary>Days executions and messages are kept. Default 30.</summary>
    [Range(1, 3650)] public int Days { get; set; } = 30;

    /// <summary>When the daily clean-up runs (cron, in the jobs' time zone). Default 03:00.</summary>
    [Required] public string Cron { get; set; } = "0 3 * * *";
}

/// <summary>The daily clean-up, run by Hangfire as the recurring job <c>botflow:retention</c>.</summary>
public sealed class RetentionJob(IContactStore store, IOptions<RetentionOptions> options, TimeProvider clock, ILogger<RetentionJob> logger)
{
    public const string RecurringId = "botflow:retention";

    [DisplayName("Retention: remove executions and messages older than the retention period")]
    [AutomaticRetry(Attempts = 3)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow().AddDays(-options.Value.Days);
        var removed = await store.PurgeOlderThanAsync(cutoff, ct);
        logger.LogInformation("Retention removed {Rows} execution and message rows older than {Cutoff:O}", removed, cutoff);
        return removed;
    }
}
