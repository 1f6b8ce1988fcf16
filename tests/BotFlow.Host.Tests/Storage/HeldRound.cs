using BotFlow.Host.Storage;

namespace BotFlow.Host.Tests.Storage;

/// <summary>
/// A step read that holds its round of step reads open until the test lets it go, so whatever is queued meanwhile waits
/// for the next round, and the round's snapshot (begun by a first statement, when asked for) stays where it began.
/// </summary>
internal sealed class HeldRound
{
    private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<long> _read = Task.FromResult(0L);

    /// <summary>Completes once the read runs (with <c>snapshot</c>, once its round's snapshot has begun).</summary>
    public Task Running => _running.Task;

    /// <summary>Starts the read and returns once it runs (<see cref="Queue"/>, then <see cref="Running"/>).</summary>
    public static async Task<HeldRound> HoldAsync(SqliteDatabase database, bool snapshot = true)
    {
        var held = Queue(database, snapshot);
        await held.Running;
        return held;
    }

    /// <summary>
    /// Queues the read and returns at once, so it can share a round with reads queued after it; with
    /// <paramref name="snapshot"/> it counts the contacts first, so the round's snapshot has begun when it runs.
    /// </summary>
    public static HeldRound Queue(SqliteDatabase database, bool snapshot = true)
    {
        var held = new HeldRound();
        held._read = database.ReadSnapshotAsync(async (c, _) =>
        {
            if (snapshot)
            {
                await CountContactsAsync(c);
            }

            held._running.SetResult();
            await held._finish.Task;
            return await CountContactsAsync(c);
        }, CancellationToken.None);
        return held;
    }

    /// <summary>Lets the read finish; the contacts its snapshot still saw at the end.</summary>
    public async Task<long> ReleaseAsync()
    {
        _finish.SetResult();
        return await _read;
    }

    public static async Task<long> CountContactsAsync(System.Data.Common.DbConnection c) =>
        (long)(await SqliteDatabase.Command(c, "select count(*) from contacts").ExecuteScalarAsync())!;
}
