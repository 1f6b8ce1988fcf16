namespace BotFlow.Sdk.Executions;

/// <summary>Where an execution ran.</summary>
public static class ExecutionKinds
{
    /// <summary>Inside a conversation, while the contact waits.</summary>
    public const string Conversation = "conversation";
    /// <summary>The editor's Test button.</summary>
    public const string Test = "test";
    /// <summary>A background retry or fire-and-forget job.</summary>
    public const string Background = "background";
    /// <summary>A scheduled run for one contact.</summary>
    public const string Scheduled = "scheduled";
    /// <summary>A recurring run without a contact.</summary>
    public const string Recurring = "recurring";
}

/// <summary>Execution ids: unique, unguessable, and ordered by creation time.</summary>
public static class ExecutionIds
{
    /// <summary>
    /// A new execution id (32 hex digits of a version-7 UUID). Time-ordered ids land at the end of the executions index
    /// instead of on a random page of it, which is one page less written per stored step.
    /// </summary>
    public static string New() => Data.TimeOrderedIds.New();
}

/// <summary>
/// One run of an external call (an integration try): what was sent (secrets masked), what came back (body truncated),
/// how it ended. The host stores it with the conversation step and lists it at <c>GET /api/executions</c>.
/// </summary>
public sealed class ExecutionRecord
{
    /// <summary>Stable id of the execution; every try of one execution shares it (and its idempotency key).</summary>
    public required string Id { get; init; }

    /// <summary>One of <see cref="ExecutionKinds"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>1 for the first try.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>The flow, when run from one.</summary>
    public string? FlowId { get; init; }

    /// <summary>The flow version, when run from one.</summary>
    public int? FlowVersion { get; init; }

    /// <summary>The block, when run from one.</summary>
    public string? BlockId { get; init; }

    /// <summary>The contact, when there is one.</summary>
    public string? ContactId { get; init; }

    /// <summary>The background job that ran it, when there is one.</summary>
    public string? JobId { get; init; }

    /// <summary>When the try started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>How long it took, in milliseconds.</summary>
    public double DurationMs { get; init; }

    /// <summary><c>success</c> or <c>failure</c>.</summary>
    public required string Outcome { get; init; }

    /// <summary>Why it failed (masked).</summary>
    public string? Error { get; init; }

    /// <summary>Non-fatal problems (a placeholder path missing in the response, a value refused by a field).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The request as sent, secrets masked: <c>method</c>, <c>url</c>, <c>headers</c>, <c>body</c>.</summary>
    public IReadOnlyDictionary<string, object?>? Request { get; init; }

    /// <summary>The response as received, body truncated: <c>status</c>, <c>headers</c>, <c>body</c>, <c>elapsedMs</c>, <c>error</c>.</summary>
    public IReadOnlyDictionary<string, object?>? Response { get; init; }

    /// <summary>The idempotency key sent with every try.</summary>
    public string? IdempotencyKey { get; init; }
}
