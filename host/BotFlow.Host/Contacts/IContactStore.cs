namespace BotFlow.Host.Contacts;

/// <summary>A contact and its registration field values (normalised text).</summary>
public sealed record ContactRecord(string Id, IReadOnlyDictionary<string, string> Fields, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A message in or out. Outgoing messages are <c>pending</c> until a channel delivers them.</summary>
public sealed record MessageRecord(
    long Id, string ContactId, string? FlowId, string? ConversationId, string? BlockId,
    string Direction, string Text, string Status, string Channel, DateTimeOffset CreatedAt);

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
