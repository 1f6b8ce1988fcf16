using BotFlow.Sdk.Jobs;
using Hangfire;
using Hangfire.States;

namespace BotFlow.Host.Jobs;

/// <summary>Turns committed background rows into jobs.</summary>
public interface IBackgroundScheduler
{
    Task EnqueueAsync(IReadOnlyList<BackgroundExecution> rows, CancellationToken ct);
}

public static class BackgroundRows
{
    /// <summary>The row a block's request becomes, stored with the step before any job exists.</summary>
    public static BackgroundExecution From(BackgroundRequest request, string flowId, int flowVersion, string blockId, string? contactId, DateTimeOffset now)
    {
        var runAt = request.RunAt ?? (request.Delay is { } delay ? now + delay : null);
        return new BackgroundExecution(request.ExecutionId, request.Kind, flowId, flowVersion, blockId, contactId, request.FirstAttempt, request.FirstAttempt,
            request.FirstAttempt + Math.Max(1, request.MaxAttempts) - 1, request.BackoffSeconds, BackgroundStatuses.Pending, null, runAt, null, now, now);
    }

    /// <summary>What the dashboard shows for a job: which block, flow and contact (the contact shortened, it is personal data).</summary>
    public static string Label(string? contactId) => contactId is null ? "-" : contactId.Length <= 4 ? contactId : contactId[..4] + "…";
}

/// <summary>Hangfire: a row with a run time becomes a scheduled job, a retry waits its first backoff, a fire-and-forget call is enqueued.</summary>
public sealed class HangfireBackgroundScheduler(IBackgroundJobClient jobs, IBackgroundStore store, TimeProvider clock, ILogger<HangfireBackgroundScheduler> logger) : IBackgroundScheduler
{
    public async Task EnqueueAsync(IReadOnlyList<BackgroundExecution> rows, CancellationToken ct)
    {
        foreach (var row in rows)
        {
            var label = BackgroundRows.Label(row.ContactId);
            var runAt = row.RunAt ?? (row.Kind == Sdk.Executions.ExecutionKinds.Background && row.FirstAttempt > 1 ? row.CreatedAt + row.DelayBefore(row.FirstAttempt) : null);
            IState state = runAt is { } at && at > clock.GetUtcNow() ? new ScheduledState(at.UtcDateTime) : new EnqueuedState();
            var jobId = jobs.Create<IntegrationJobs>(j => j.RunTryAsync(row.Id, row.BlockId ?? "-", row.FlowId ?? "-", label, null, CancellationToken.None), state);
            await store.SetJobIdAsync(row.Id, jobId, ct);
            logger.LogInformation("Background execution {ExecutionId} of block {BlockId} ({Kind}) is job {JobId}, runs at {RunAt}", row.Id, row.BlockId, row.Kind, jobId, runAt);
        }
    }
}

/// <summary>With jobs turned off the rows stay pending; a host with jobs on picks them up at start.</summary>
public sealed class DisabledBackgroundScheduler(ILogger<DisabledBackgroundScheduler> logger) : IBackgroundScheduler
{
    public Task EnqueueAsync(IReadOnlyList<BackgroundExecution> rows, CancellationToken ct)
    {
        foreach (var row in rows)
        {
            logger.LogWarning("Background jobs are off (BotFlow:Jobs:Enabled=false): execution {ExecutionId} stays pending", row.Id);
        }

        return Task.CompletedTask;
    }
}

/// <summary>At start, gives a job to every pending row that has none (the host stopped between the commit and the enqueue).</summary>
internal sealed class PendingBackgroundSweep(IBackgroundStore store, IBackgroundScheduler scheduler, ILogger<PendingBackgroundSweep> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        var pending = await store.PendingWithoutJobAsync(ct);
        if (pending.Count > 0)
        {
            logger.LogInformation("Enqueuing {Count} background execution(s) left without a job", pending.Count);
            await scheduler.EnqueueAsync(pending, ct);
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
