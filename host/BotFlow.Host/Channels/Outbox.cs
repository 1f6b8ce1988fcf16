using Hangfire;
using Hangfire.States;

namespace BotFlow.Host.Channels;

/// <summary>Starts delivery of a contact's pending channel messages, from the message with id <c>messageId</c> on.</summary>
public interface IOutboxDispatcher
{
    Task DispatchAsync(long messageId, CancellationToken ct);
}

/// <summary>One Hangfire job per dispatch; the job delivers the contact's whole queue in order, so extra jobs only find nothing to do.</summary>
public sealed class HangfireOutboxDispatcher(IBackgroundJobClient jobs, ILogger<HangfireOutboxDispatcher> logger) : IOutboxDispatcher
{
    public Task DispatchAsync(long messageId, CancellationToken ct)
    {
        var jobId = jobs.Create<ChannelJobs>(j => j.DeliverAsync(messageId, CancellationToken.None), new EnqueuedState());
        logger.LogDebug("Outbox delivery from message {MessageId} is job {JobId}", messageId, jobId);
        return Task.CompletedTask;
    }
}

/// <summary>With jobs off, channel messages stay pending; a host with jobs on delivers them at start.</summary>
public sealed class DisabledOutboxDispatcher(ILogger<DisabledOutboxDispatcher> logger) : IOutboxDispatcher
{
    public Task DispatchAsync(long messageId, CancellationToken ct)
    {
        logger.LogWarning("Background jobs are off (BotFlow:Jobs:Enabled=false): channel message {MessageId} stays pending", messageId);
        return Task.CompletedTask;
    }
}

/// <summary>
/// At start, a delivery job for every contact with pending channel messages: the host may have stopped between a step's
/// commit and its dispatch, or with a retry scheduled in a Hangfire storage that was since reset.
/// </summary>
internal sealed class PendingOutboxSweep(IChannelStore store, IOutboxDispatcher dispatcher, ILogger<PendingOutboxSweep> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        var pending = await store.OldestPendingPerContactAsync(ct);
        if (pending.Count > 0)
        {
            logger.LogInformation("Dispatching pending channel messages of {Count} contact(s)", pending.Count);
            foreach (var id in pending)
            {
                await dispatcher.DispatchAsync(id, ct);
            }
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
