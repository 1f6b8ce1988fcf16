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
    DateTimeOffset UpdatedAt);

/// <summary>A message a step adds to the log (in) or the outbox (out).</summary>
public sealed record NewMessage(string Direction, string Text, string? BlockId, string Status, string Channel, DateTimeOffset CreatedAt);

/// <summary>Everything one handled message changes, written in one transaction.</summary>
public sealed record StepCommit(
    string ContactId,
    IReadOnlyDictionary<string, string> ContactFields,
    bool ContactFieldsChanged,
    ConversationRecord? Conversation,
    IReadOnlyList<NewMessage> Messages,
    IReadOnlyList<ExecutionRecord>? Executions = null,
    IReadOnlyList<Jobs.BackgroundExecution>? Background = null,
    bool UpsertContact = true);

/// <summary>Conversation state and the all-or-nothing write of a step.</summary>
public interface IConversationStore
{
    Task<ConversationRecord?> GetAsync(string flowId, string contactId, CancellationToken ct);

    Task<ContactRecord?> GetContactAsync(string contactId, CancellationToken ct);

    /// <summary>Writes contact fields, conversation state and messages together; returns the new message ids in order.</summary>
    Task<IReadOnlyList<long>> CommitAsync(StepCommit commit, CancellationToken ct);
}

/// <summary>
/// Serialises the handling of one contact's messages. With SQLite one host owns the file, so a process-wide lock is
/// the database lock; the PostgreSQL provider takes an advisory lock per contact instead.
/// </summary>
public interface IContactLocks
{
    ValueTask<IAsyncDisposable> AcquireAsync(string contactId, CancellationToken ct);
}
