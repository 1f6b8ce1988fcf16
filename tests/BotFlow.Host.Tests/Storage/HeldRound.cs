using BotFlow.Host.Storage;

namespace BotFlow.Host.Tests.Storage;

/// <summary>
/// A step read that holds its round of step reads open until the test lets it go, so whatever is queued meanwhile waits
/// for the next round, and the round's snapshot (begun by a first statement, when asked for) stays where it began.
/// </summary>
internal sealed class HeldRound
{
    private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<long> _read = Task.FromResult(0L);

    /// <summary>
    /// Starts the read and returns once it runs; with <paramref name="snapshot"/> it has counted the contacts first, so
    /// the round's snapshot has begun.
    /// </summary>
    public static async Task<HeldRound> HoldAsync(SqliteDatabase database, bool snapshot = true)
    {
        var held = new HeldRound();
        var inside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        held._read = database.ReadSnapshotAsync(async (c, _) =>
        {
            if (snapshot)
            {
                await CountContactsAsync(c);
            }

            inside.SetResult();
            await held._finish.Task;
            return await CountContactsAsync(c);
        }, CancellationToken.None);
        await inside.Task;
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
