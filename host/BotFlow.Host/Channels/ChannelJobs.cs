using System.ComponentModel;
using BotFlow.Host.Conversations;
using BotFlow.Host.Jobs;
using BotFlow.Host.Plugins;
using BotFlow.Sdk.Channels;
using BotFlow.Sdk.Http;
using Hangfire;
using Microsoft.Extensions.Options;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Channels;

/// <summary>
/// Delivers a contact's pending channel messages, oldest first, one at a time under the contact's outbox lock, so message
/// 2 never reaches the provider before message 1. A try that fails stops the queue: Hangfire runs the same job again
/// after the backoff (or the provider's <c>Retry-After</c>). A message whose tries run out ends <c>failed</c>, this job
/// ends Failed on the dashboard with the provider's error, and a new job carries on with the messages behind it.
/// Delivery is at least once: a crash after the provider accepted a message but before it was marked sent sends it
/// again (the generic webhook's stable <c>webhook-id</c> lets the receiver drop the copy).
/// </summary>
public sealed class ChannelJobs(
    IChannelStore store,
    PluginCatalog catalog,
    ChannelSettingsResolver resolver,
    IOutboundHttp http,
    IContactLocks locks,
    IOutboxDispatcher dispatcher,
    TimeProvider clock,
    IOptions<ChannelsOptions> options,
    ILogger<ChannelJobs> logger)
{
    [DisplayName("Deliver channel messages from message {0}")]
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [BackgroundTryRetry]
    public async Task DeliverAsync(long messageId, CancellationToken cancellationToken)
    {
        if (await store.GetMessageAsync(messageId, cancellationToken) is not { } start)
        {
            logger.LogInformation("Message {MessageId} no longer exists (the contact may have been erased); nothing to deliver", messageId);
            return;
        }

        // A lock of its own, not the conversation's: the contact's next message must not wait for a slow provider.
        await using var _ = await locks.AcquireAsync("outbox:" + start.ContactId, cancellationToken);
        while (await store.OldestPendingAsync(start.ContactId, cancellationToken) is { } message)
        {
            var now = clock.GetUtcNow();
            if (message.NextAttemptAt is { } at && at > now + TimeSpan.FromSeconds(1))
            {
                // Another job holds this message's retry; delivering anything now would overtake it.
                logger.LogDebug("Message {MessageId} waits for its retry at {At}", message.Id, at);
                return;
            }

            var attempt = message.Attempts + 1;
            var result = await SendAsync(message, attempt, cancellationToken);
            now = clock.GetUtcNow();
            if (result.Succeeded)
            {
                await store.MarkSentAsync(message.Id, attempt, result.ProviderMessageId, now, CancellationToken.None);
                logger.LogInformation("Message {MessageId} delivered to channel {Channel} on try {Attempt}", message.Id, message.Channel, attempt);
                continue;
            }

            var error = result.Error ?? "the channel gave no reason";
            if (result.Retryable && attempt < options.Value.MaxAttempts)
            {
                var delay = options.Value.DelayBefore(attempt + 1);
                if (result.RetryAfter is { } asked && asked > delay)
                {
                    delay = asked < options.Value.MaxRetryAfter ? asked : options.Value.MaxRetryAfter;
                }

                await store.MarkRetryAsync(message.Id, attempt, error, now + delay, now, CancellationToken.None);
                logger.LogWarning("Message {MessageId} try {Attempt} failed, retrying in {Delay}: {Error}", message.Id, attempt, delay, error);
                throw new BackgroundTryFailedException($"message {message.Id} try {attempt} of {options.Value.MaxAttempts} failed: {error}", delay);
            }

            await store.MarkFailedAsync(message.Id, attempt, error, now, CancellationToken.None);
            logger.LogError("Message {MessageId} to channel {Channel} failed for good after {Attempt} tries: {Error}", message.Id, message.Channel, attempt, error);
            if (await store.OldestPendingAsync(start.ContactId, CancellationToken.None) is { } next)
            {
                await dispatcher.DispatchAsync(next.Id, CancellationToken.None);
            }

            throw new BackgroundTryFailedException($"message {message.Id} could not be delivered after {attempt} tries: {error}", null);
        }
    }

    private async Task<SendResult> SendAsync(OutboxMessage message, int attempt, CancellationToken ct)
    {
        var channel = await store.GetAsync(message.Channel, ct);
        if (channel is null)
        {
            return SendResult.Failed($"channel '{message.Channel}' no longer exists");
        }

        if (!catalog.TryGetChannel(channel.Type, out var type))
        {
            return SendResult.RetryLater($"channel type '{channel.Type}' is not loaded (see GET /api/plugins)");
        }

        var settings = await resolver.ResolveAsync(channel, type.Channel, ct);
        var options = message.OptionsJson is null
            ? []
            : JArray.Parse(message.OptionsJson).Select(o => new OutgoingOption((string)o["key"]!, (string?)o["label"] ?? (string)o["key"]!)).ToList();
        try
        {
            return await type.Channel.SendAsync(new OutgoingMessage(message.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), message.ContactId, message.Text, options, attempt),
                settings, http, ct);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
        {
            // A plugin's fault is a failed try, never a lost message.
            logger.LogError(ex, "Channel type {Type} threw while sending message {MessageId}", channel.Type, message.Id);
            return SendResult.RetryLater($"channel '{channel.Type}' failed: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
