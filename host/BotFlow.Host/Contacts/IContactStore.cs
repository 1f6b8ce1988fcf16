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

    /// <summary>Erases the contact, its conversations and its messages. False when there was no such contact.</summary>
    Task<bool> EraseAsync(string contactId, CancellationToken ct);
}
