using BotFlow.Sdk.Executions;

namespace BotFlow.Host.Executions;

/// <summary>A stored execution as listed by the API (request/response already masked and truncated by the block).</summary>
public sealed record ExecutionFilter(string? FlowId, string? ContactId, string? Outcome, string? ExecutionId, int Limit);

/// <summary>The execution history.</summary>
public interface IExecutionStore
{
    /// <summary>Stores records outside a conversation step (tests, jobs).</summary>
    Task AddAsync(IReadOnlyList<ExecutionRecord> records, CancellationToken ct);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<ExecutionRecord>> ListAsync(ExecutionFilter filter, CancellationToken ct);
}
