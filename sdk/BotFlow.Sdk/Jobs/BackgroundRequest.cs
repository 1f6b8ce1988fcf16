using BotFlow.Sdk.Context;

namespace BotFlow.Sdk.Jobs;

/// <summary>
/// Asks the host to run this block again later, in the background, for the same contact: a retry after the inline
/// tries failed, a fire-and-forget call, or a scheduled one. The host stores the request with the conversation step and
/// hands it to its job system, which calls <see cref="IBackgroundBlock.RunBackgroundTryAsync"/> for each try.
/// </summary>
public sealed record BackgroundRequest
{
    /// <summary>The execution the tries belong to (its idempotency key stays the same on every try).</summary>
    public required string ExecutionId { get; init; }

    /// <summary><c>background</c> or <c>scheduled</c> (see <see cref="Executions.ExecutionKinds"/>).</summary>
    public required string Kind { get; init; }

    /// <summary>The attempt number of the first background try (after the inline ones).</summary>
    public int FirstAttempt { get; init; } = 1;

    /// <summary>How many background tries in all (at least 1).</summary>
    public int MaxAttempts { get; init; } = 1;

    /// <summary>Delay before each try, in seconds; the last value repeats. Default 10, 60, 300, 1800, 7200.</summary>
    public IReadOnlyList<int> BackoffSeconds { get; init; } = [10, 60, 300, 1800, 7200];

    /// <summary>When the first try runs: a delay from now. Null with <see cref="RunAt"/> null: the first backoff delay (retries) or at once.</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>When the first try runs: an instant.</summary>
    public DateTimeOffset? RunAt { get; init; }
}

/// <summary>One background try as the host runs it.</summary>
/// <param name="ExecutionId">The execution.</param>
/// <param name="Attempt">This try's attempt number.</param>
/// <param name="Kind">background or scheduled.</param>
/// <param name="JobId">The job system's id, for the history.</param>
/// <param name="IsLastAttempt">True when no try follows this one automatically.</param>
public sealed record BackgroundTry(string ExecutionId, int Attempt, string Kind, string? JobId, bool IsLastAttempt);

/// <summary>How a background try ended.</summary>
/// <param name="Succeeded">The try succeeded; its effects (fields, message) were applied through the context.</param>
/// <param name="Retryable">A failure that a later try may fix (no response, timeout, 408, 429, 5xx).</param>
/// <param name="Error">Why it failed, secrets masked.</param>
public sealed record BackgroundTryResult(bool Succeeded, bool Retryable, string? Error);

/// <summary>A block that can run tries in the background (retries, fire-and-forget, schedules).</summary>
public interface IBackgroundBlock
{
    /// <summary>
    /// Runs one try. The context is the contact's (<see cref="BlockRunMode.Background"/>): fields set and messages sent
    /// through it are committed together with the try's execution record only when the try succeeds, exactly once.
    /// </summary>
    ValueTask<BackgroundTryResult> RunBackgroundTryAsync(IBlockContext context, BackgroundTry backgroundTry);
}
