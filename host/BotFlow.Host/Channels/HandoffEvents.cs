using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BotFlow.Host.Contacts;
using BotFlow.Host.Conversations;
using BotFlow.Host.Jobs;
using BotFlow.Host.Storage;
using BotFlow.Sdk.Http;
using BotFlow.Sdk.Secrets;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Options;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Storage.BotFlowDatabase;

namespace BotFlow.Host.Channels;

public static class EventTypes
{
    public const string Transferred = "conversation.transferred";
    public const string Ended = "conversation.ended";
    public const string Message = "conversation.message";
    public const string IntegrationFailed = "integration.failed";

    public static readonly IReadOnlyList<string> All = [Transferred, Ended, Message, IntegrationFailed];
}

/// <summary>A URL that receives hand-off events, signed with the secret named <see cref="SecretName"/>.</summary>
public sealed class EventSubscriber
{
    public string Url { get; set; } = "";

    public string SecretName { get; set; } = "";

    /// <summary>Event types sent to this URL; empty or missing: all of them.</summary>
    public List<string>? Events { get; set; }

    public bool Wants(string type) => Events is not { Count: > 0 } || Events.Contains(type, StringComparer.Ordinal);
}

/// <summary>Hand-off event subscribers. Section <c>BotFlow:Events</c> (docs/channels.md).</summary>
public sealed class EventsOptions : IValidatableObject
{
    public const string Section = "BotFlow:Events";

    public List<EventSubscriber>? Subscribers { get; set; }

    /// <summary>Delivery tries per event before it ends <c>failed</c>. Default 6; the wait between tries is the channels' backoff.</summary>
    [Range(1, 50)] public int MaxAttempts { get; set; } = 6;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (s, i) in (Subscribers ?? []).Select((s, i) => (s, i)))
        {
            if (!(Uri.TryCreate(s.Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            {
                yield return new ValidationResult($"BotFlow:Events:Subscribers:{i}:Url must be an absolute http(s) URL.", [nameof(Subscribers)]);
            }

            if (string.IsNullOrWhiteSpace(s.SecretName))
            {
                yield return new ValidationResult($"BotFlow:Events:Subscribers:{i}:SecretName names the secret that signs the events.", [nameof(Subscribers)]);
            }

            foreach (var type in (s.Events ?? []).Where(t => !EventTypes.All.Contains(t, StringComparer.Ordinal)))
            {
                yield return new ValidationResult($"BotFlow:Events:Subscribers:{i}:Events: '{type}' is not one of {string.Join(", ", EventTypes.All)}.", [nameof(Subscribers)]);
            }
        }
    }
}

/// <summary>An event for one subscriber, written with the step that caused it.</summary>
public sealed record NewEvent(string Type, string Url, string SecretName, string DataJson, DateTimeOffset CreatedAt);

/// <summary>A pending event row.</summary>
public sealed record OutboxEvent(long Id, string ContactId, string Type, string Url, string SecretName, string DataJson, int Attempts, DateTimeOffset? NextAttemptAt, DateTimeOffset CreatedAt)
{
    /// <summary>The same on every try: receivers dedupe on it.</summary>
    public string WebhookId => "evt_" + Id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The Standard Webhooks envelope; built from stored values only, so every try sends the same bytes.</summary>
    public string Body() => new JObject
    {
        ["id"] = WebhookId,
        ["type"] = Type,
        ["timestamp"] = CreatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        ["data"] = JObject.Parse(DataJson),
    }.ToString(Formatting.None);
}

/// <summary>Turns a happening into one event row per subscriber that wants it.</summary>
public sealed class HandoffEvents(IOptions<EventsOptions> options)
{
    /// <summary>Whether any subscriber takes <paramref name="type"/>: callers skip building the event's data when none does.</summary>
    public bool Wanted(string type) => options.Value.Subscribers is { Count: > 0 } subscribers && subscribers.Exists(s => s.Wants(type));

    public IReadOnlyList<NewEvent> For(string type, JObject data, DateTimeOffset at)
    {
        var subscribers = options.Value.Subscribers;
        if (subscribers is not { Count: > 0 })
        {
            return [];
        }

        var json = data.ToString(Formatting.None);
        return subscribers.Where(s => s.Wants(type)).Select(s => new NewEvent(type, s.Url, s.SecretName, json, at)).ToList();
    }

    /// <summary>The <c>data</c> of a conversation event: who, where, and the contact's fields as the human team sees them.</summary>
    public static JObject Conversation(ConversationRecord conversation, IReadOnlyDictionary<string, string> fields) => new()
    {
        ["conversationId"] = conversation.Id,
        ["flowId"] = conversation.FlowId,
        ["contactId"] = conversation.ContactId,
        ["blockId"] = conversation.BlockId,
        ["department"] = conversation.Department,
        ["fields"] = JObject.FromObject(fields),
    };

    /// <summary>The <c>data</c> of <c>conversation.message</c>: the conversation's data plus what the contact said and where.</summary>
    public static JObject Message(ConversationRecord conversation, IReadOnlyDictionary<string, string> fields, string text, string channel)
    {
        var data = Conversation(conversation, fields);
        data["text"] = text;
        data["channel"] = channel;
        return data;
    }

    /// <summary>Replaces every secret value in <paramref name="text"/>: an error may quote a request that carried one.</summary>
    public static string Mask(string text, IReadOnlyDictionary<string, string> secrets)
    {
        foreach (var value in secrets.Values.Where(v => v.Length >= 4).OrderByDescending(v => v.Length))
        {
            text = text.Replace(value, "***", StringComparison.Ordinal);
        }

        return text;
    }

    internal static async Task InsertAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string contactId, IReadOnlyList<NewEvent> events, CancellationToken ct)
    {
        foreach (var e in events)
        {
            await Command(c,
                "insert into events (contact_id, type, url, secret_name, data, status, attempts, created_at) values (@c, @t, @u, @s, @d, 'pending', 0, @at)",
                tx, ("@c", contactId), ("@t", e.Type), ("@u", e.Url), ("@s", e.SecretName), ("@d", e.DataJson), ("@at", SqlValues.Time(e.CreatedAt))).ExecuteNonQueryAsync(ct);
        }
    }
}

public interface IEventStore
{
    Task<OutboxEvent?> OldestPendingAsync(string contactId, CancellationToken ct);

    Task<IReadOnlyList<string>> ContactsWithPendingAsync(CancellationToken ct);

    Task MarkAsync(long id, string status, int attempts, string? error, DateTimeOffset? nextAttemptAt, DateTimeOffset now, CancellationToken ct);
}

public sealed class SqlEventStore(BotFlowDatabase db) : IEventStore
{
    private const string Columns = "id, contact_id, type, url, secret_name, data, attempts, next_attempt_at, created_at";

    public Task<OutboxEvent?> OldestPendingAsync(string contactId, CancellationToken ct) => db.ReadAsync(async c =>
    {
        await using var r = await Command(c, $"select {Columns} from events where contact_id = @c and status = 'pending' order by id limit 1", null, ("@c", contactId))
            .ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct)
            ? new OutboxEvent(Long(r, 0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), Int(r, 6),
                r.IsDBNull(7) ? null : SqlValues.Time(r, 7), SqlValues.Time(r, 8))
            : null;
    }, ct);

    public Task<IReadOnlyList<string>> ContactsWithPendingAsync(CancellationToken ct) => db.ReadAsync<IReadOnlyList<string>>(async c =>
    {
        var contacts = new List<string>();
        await using var r = await Command(c, "select distinct contact_id from events where status = 'pending'").ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            contacts.Add(r.GetString(0));
        }

        return contacts;
    }, ct);

    public Task MarkAsync(long id, string status, int attempts, string? error, DateTimeOffset? nextAttemptAt, DateTimeOffset now, CancellationToken ct) => db.WriteAsync(async (c, tx) =>
        await Command(c, "update events set status = @s, attempts = @a, error = @e, next_attempt_at = @n, updated_at = @u where id = @id and status = 'pending'",
            tx, ("@s", status), ("@a", attempts), ("@e", error), ("@n", nextAttemptAt is { } n ? SqlValues.Time(n) : null), ("@u", SqlValues.Time(now)), ("@id", id))
            .ExecuteNonQueryAsync(ct), ct);
}

/// <summary>Starts delivery of a contact's pending events.</summary>
public interface IEventDispatcher
{
    Task DispatchAsync(string contactId, CancellationToken ct);
}

public sealed class HangfireEventDispatcher(IBackgroundJobClient jobs) : IEventDispatcher
{
    public Task DispatchAsync(string contactId, CancellationToken ct)
    {
        jobs.Create<EventJobs>(j => j.DeliverAsync(contactId, CancellationToken.None), new EnqueuedState());
        return Task.CompletedTask;
    }
}

/// <summary>With jobs off, events stay pending; a host with jobs on delivers them at start.</summary>
public sealed class DisabledEventDispatcher : IEventDispatcher
{
    public Task DispatchAsync(string contactId, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>At start, a delivery job for every contact with pending events (the host may have stopped before dispatching).</summary>
internal sealed class PendingEventSweep(IEventStore store, IEventDispatcher dispatcher) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        foreach (var contact in await store.ContactsWithPendingAsync(ct))
        {
            await dispatcher.DispatchAsync(contact, ct);
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>
/// Delivers a contact's pending events oldest first under the contact's event lock, like <see cref="ChannelJobs"/> does
/// for messages: a failed try stops the queue and Hangfire runs the job again after the backoff, so event 2 never
/// overtakes event 1. An event whose tries run out ends <c>failed</c> and the job ends Failed on the dashboard.
/// </summary>
public sealed class EventJobs(
    IEventStore store,
    ISecretReader secrets,
    IOutboundHttp http,
    IContactLocks locks,
    IEventDispatcher dispatcher,
    TimeProvider clock,
    IOptions<EventsOptions> options,
    IOptions<ChannelsOptions> backoff,
    ILogger<EventJobs> logger)
{
    private static readonly OutboundOptions Outbound = new() { Timeout = TimeSpan.FromSeconds(15), MaxResponseBytes = 64 * 1024, MaxRedirects = 0 };

    [DisplayName("Deliver hand-off events of contact {0}")]
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [BackgroundTryRetry]
    public async Task DeliverAsync(string contactId, CancellationToken cancellationToken)
    {
        await using var _ = await locks.AcquireAsync("events:" + contactId, cancellationToken);
        while (await store.OldestPendingAsync(contactId, cancellationToken) is { } e)
        {
            var now = clock.GetUtcNow();
            if (e.NextAttemptAt is { } at && at > now + TimeSpan.FromSeconds(1))
            {
                // Another job holds this event's retry; sending anything now would overtake it.
                return;
            }

            var attempt = e.Attempts + 1;
            var (sent, retryable, error, retryAfter) = await SendAsync(e, cancellationToken);
            now = clock.GetUtcNow();
            if (sent)
            {
                await store.MarkAsync(e.Id, MessageStatuses.Sent, attempt, null, null, now, CancellationToken.None);
                logger.LogInformation("Event {EventId} ({Type}) delivered on try {Attempt}", e.WebhookId, e.Type, attempt);
                continue;
            }

            if (retryable && attempt < options.Value.MaxAttempts)
            {
                var delay = backoff.Value.DelayBefore(attempt + 1);
                if (retryAfter is { } asked && asked > delay)
                {
                    delay = asked < backoff.Value.MaxRetryAfter ? asked : backoff.Value.MaxRetryAfter;
                }

                await store.MarkAsync(e.Id, MessageStatuses.Pending, attempt, error, now + delay, now, CancellationToken.None);
                throw new BackgroundTryFailedException($"event {e.WebhookId} try {attempt} of {options.Value.MaxAttempts} failed: {error}", delay);
            }

            await store.MarkAsync(e.Id, MessageStatuses.Failed, attempt, error, null, now, CancellationToken.None);
            logger.LogError("Event {EventId} ({Type}) to {Url} failed for good after {Attempt} tries: {Error}", e.WebhookId, e.Type, e.Url, attempt, error);
            if (await store.OldestPendingAsync(contactId, CancellationToken.None) is not null)
            {
                await dispatcher.DispatchAsync(contactId, CancellationToken.None);
            }

            throw new BackgroundTryFailedException($"event {e.WebhookId} could not be delivered after {attempt} tries: {error}", null);
        }
    }

    private async Task<(bool Sent, bool Retryable, string? Error, TimeSpan? RetryAfter)> SendAsync(OutboxEvent e, CancellationToken ct)
    {
        // Read per try, so a rotated secret applies at once.
        if (!(await secrets.ReadAllAsync(ct)).TryGetValue(e.SecretName, out var secret))
        {
            return (false, true, $"the secret '{e.SecretName}' does not exist", null);
        }

        var body = e.Body();
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, e.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", e.WebhookId);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", Sign(secret, e.WebhookId, timestamp, body));
        var response = await http.SendAsync(request, Outbound, ct);
        if (response.ErrorKind != OutboundErrorKind.None)
        {
            return (false, response.ErrorKind is not (OutboundErrorKind.AddressRefused or OutboundErrorKind.InvalidRequest), $"subscriber not reachable: {response.Error}", null);
        }

        if (response.Status is >= 200 and < 300)
        {
            return (true, false, null, null);
        }

        var error = $"HTTP {response.Status}: {Encoding.UTF8.GetString(response.Body.AsSpan(0, Math.Min(300, response.Body.Length)))}";
        return (false, response.Status is 408 or 429 or >= 500, error, response.RetryAfter);
    }

    /// <summary>Standard Webhooks: <c>v1,&lt;base64 HMAC-SHA256 of "{id}.{timestamp}.{body}"&gt;</c>; a <c>whsec_</c> secret is base64, anything else UTF-8.</summary>
    public static string Sign(string secret, string id, string timestamp, string body)
    {
        var key = secret.StartsWith("whsec_", StringComparison.Ordinal) ? Convert.FromBase64String(secret["whsec_".Length..]) : Encoding.UTF8.GetBytes(secret);
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
    }
}
