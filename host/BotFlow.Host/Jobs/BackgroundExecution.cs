namespace BotFlow.Host.Jobs;

public static class BackgroundStatuses
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

/// <summary>
/// A block's tries that run in the background. The row, not the job, is the truth: the job carries only the id, and
/// a try that already succeeded is never applied again, whatever the job system replays.
/// </summary>
public sealed record BackgroundExecution(
    string Id,
    string Kind,
    string? FlowId,
    int? FlowVersion,
    string? BlockId,
    string? ContactId,
    int FirstAttempt,
    int NextAttempt,
    int LastAttempt,
    IReadOnlyList<int> BackoffSeconds,
    string Status,
    string? JobId,
    DateTimeOffset? RunAt,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The delay before attempt <paramref name="attempt"/> (the first background one uses index 0); the last value repeats.</summary>
    public TimeSpan DelayBefore(int attempt)
    {
        if (BackoffSeconds.Count == 0)
        {
            return TimeSpan.FromSeconds(10);
        }

        var index = Math.Clamp(attempt - FirstAttempt, 0, BackoffSeconds.Count - 1);
        return TimeSpan.FromSeconds(BackoffSeconds[index]);
    }
}

public sealed record RecurringIntegration(string Id, string Cron, string TimeZone, string ConfigJson, DateTimeOffset UpdatedAt);

/// <summary>Background executions and recurring integrations.</summary>
public interface IBackgroundStore
{
    Task<BackgroundExecution?> GetAsync(string id, CancellationToken ct);

    Task SetJobIdAsync(string id, string jobId, CancellationToken ct);

    /// <summary>Claims the next attempt number: returns the row as it was, and stores next_attempt + 1.</summary>
    Task<BackgroundExecution?> ClaimAttemptAsync(string id, CancellationToken ct);

    /// <summary>Pending rows that never got a job (the host stopped between commit and enqueue).</summary>
    Task<IReadOnlyList<BackgroundExecution>> PendingWithoutJobAsync(CancellationToken ct);

    Task<IReadOnlyList<RecurringIntegration>> ListRecurringAsync(CancellationToken ct);

    Task<RecurringIntegration?> GetRecurringAsync(string id, CancellationToken ct);

    Task UpsertRecurringAsync(RecurringIntegration recurring, CancellationToken ct);

    Task<bool> DeleteRecurringAsync(string id, CancellationToken ct);
}
