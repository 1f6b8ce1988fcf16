namespace BotFlow.Host.Contacts;

/// <summary>A contact and its registration field values (normalised text).</summary>
public sealed record ContactRecord(string Id, IReadOnlyDictionary<string, string> Fields, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A message in or out. Outgoing messages are <c>pending</c> until a channel delivers them.</summary>
public sealed record MessageRecord(
    long Id, string ContactId, string? FlowId, string? ConversationId, string? BlockId,
    string Direction, string Text, string Status, string Channel, DateTimeOffset CreatedAt)
{
    /// <summary>The provider's error of the last failed delivery try (kept when a later try succeeds, cleared never).</summary>
    public string? Error { get; init; }

    /// <summary>Delivery tries so far.</summary>
    public int Attempts { get; init; }

    /// <summary>When the delivery status last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
}

public static class MessageDirections
{
    public const string In = "in";
    public const string Out = "out";
}

public static class MessageStatuses
{
    /// <summary>Waiting in the outbox for its channel.</summary>
    public const string Pending = "pending";

    /// <summary>Handed to the contact (the test channel delivers in its HTTP answer).</summary>
    public const string Delivered = "delivered";

    /// <summary>Accepted by the channel's provider (outbox done); status callbacks move it on.</summary>
    public const string Sent = "sent";

    /// <summary>Read by the contact (a provider's status callback).</summary>
    public const string Read = "read";

    /// <summary>Could not be delivered: attempts ran out or the provider refused it for good; <c>error</c> says why.</summary>
    public const string Failed = "failed";

    /// <summary>An incoming message, stored as received.</summary>
    public const string Received = "received";
}

/// <summary>Contacts, their message log, export and erasure.</summary>
public interface IContactStore
{
    Task<ContactRecord?> GetAsync(string id, CancellationToken ct);

    Task<IReadOnlyList<MessageRecord>> GetMessagesAsync(string contactId, long afterId, int limit, CancellationToken ct);

    /// <summary>
    /// Erases the contact, its conversations, messages, executions and background tries in one transaction. Returns whether
    /// the contact existed and the job ids of its background tries, so the caller can delete those jobs too.
    /// </summary>
    Task<(bool Existed, IReadOnlyList<string> JobIds)> EraseAsync(string contactId, CancellationToken ct);

    /// <summary>Everything stored about the contact besides its messages: conversations and executions (LGPD export).</summary>
    Task<(IReadOnlyList<Conversations.ConversationRecord> Conversations, IReadOnlyList<Sdk.Executions.ExecutionRecord> Executions)> ExportAsync(string contactId, CancellationToken ct);

    /// <summary>Deletes executions and messages older than <paramref name="cutoff"/>; returns how many rows went.</summary>
    Task<int> PurgeOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct);
}
