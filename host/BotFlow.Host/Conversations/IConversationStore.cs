using BotFlow.Host.Contacts;
using BotFlow.Sdk.Executions;

namespace BotFlow.Host.Conversations;

public static class ConversationStatuses
{
    public const string Waiting = "waiting";
    public const string Ended = "ended";
    public const string Transferred = "transferred";
}

/// <summary>The persisted state of a contact's conversation in one flow.</summary>
public sealed record ConversationRecord(
    string Id,
    string FlowId,
    string ContactId,
    int FlowVersion,
    string Status,
    string? BlockId,
    bool Waiting,
    string VarsJson,
    string? ResponseJson,
    string? Department,
    DateTimeOffset StartedAt,
    DateTimeOffset UpdatedAt,
    long? PayloadId = null)
{
    /// <summary>
    /// Where the stored row keeps its vars and response when they are large (a row of <c>conversation_payloads</c>);
    /// null while they are kept in the row. Read with the record and carried by <c>with</c> into the step's commit, which
    /// replaces or removes it. A storage detail, so it is not part of any answer (the contact's export).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore, Newtonsoft.Json.JsonIgnore]
    public long? PayloadId { get; init; } = PayloadId;
}

/// <summary>A message a step adds to the log (in) or the outbox (out).</summary>
/// <param name="OptionsJson">A menu's options (<c>[{ key, label }]</c>) for channels that render native buttons.</param>
public sealed record NewMessage(string Direction, string Text, string? BlockId, string Status, string Channel, DateTimeOffset CreatedAt, string? OptionsJson = null);

/// <summary>The provider's id of an inbound channel message, stored with the step so a redelivery is handled once.</summary>
public sealed record InboundKey(string ChannelId, string ProviderMessageId);

/// <summary>Everything one handled message changes, written in one transaction.</summary>
public sealed record StepCommit(
    string ContactId,
    IReadOnlyDictionary<string, string> ContactFields,
    bool ContactFieldsChanged,
    ConversationRecord? Conversation,
    IReadOnlyList<NewMessage> Messages,
    IReadOnlyList<ExecutionRecord>? Executions = null,
    IReadOnlyList<Jobs.BackgroundExecution>? Background = null,
    bool UpsertContact = true,
    InboundKey? Inbound = null,
    IReadOnlyList<BotFlow.Host.Channels.NewEvent>? Events = null);

/// <summary>What a conversation step reads before running blocks, read together (one snapshot, one connection).</summary>
public sealed record StepSnapshot(int? LatestFlowVersion, IReadOnlyList<BotFlow.Sdk.Fields.FieldDefinition> Fields, ContactRecord? Contact,
    ConversationRecord? Conversation, bool InboundSeen);

/// <summary>Conversation state and the all-or-nothing write of a step.</summary>
public interface IConversationStore
{
    /// <summary>
    /// The flow's latest version, the field catalog, the contact, the contact's conversation on the flow (unless
    /// <paramref name="withConversation"/> is false) and whether <paramref name="inbound"/> was already handled, in one read.
    /// </summary>
    Task<StepSnapshot> LoadStepAsync(string flowId, string contactId, bool withConversation, InboundKey? inbound, CancellationToken ct);

    Task<ConversationRecord?> GetAsync(string flowId, string contactId, CancellationToken ct);

    Task<ContactRecord?> GetContactAsync(string contactId, CancellationToken ct);

    /// <summary>The contact's conversations with status <paramref name="status"/>, one per flow.</summary>
    Task<IReadOnlyList<ConversationRecord>> ListByStatusAsync(string contactId, string status, CancellationToken ct);

    /// <summary>Writes contact fields, conversation state and messages together; returns the new message ids in order.</summary>
    Task<IReadOnlyList<long>> CommitAsync(StepCommit commit, CancellationToken ct);

    /// <summary>Whether a channel message with this provider id was already handled.</summary>
    Task<bool> InboundSeenAsync(InboundKey key, CancellationToken ct);

    /// <summary>The channel of the contact's latest inbound message (where background replies go), or <c>null</c> for none.</summary>
    Task<string?> LastInboundChannelAsync(string contactId, CancellationToken ct);
}

/// <summary>
/// Serialises the handling of one contact's messages. With SQLite one host owns the file, so a process-wide lock is
/// the database lock; the PostgreSQL provider takes an advisory lock per contact instead.
/// </summary>
public interface IContactLocks
{
    ValueTask<IAsyncDisposable> AcquireAsync(string contactId, CancellationToken ct);
}
