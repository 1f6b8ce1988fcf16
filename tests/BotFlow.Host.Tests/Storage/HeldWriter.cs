using System.Data.Common;
using BotFlow.Host.Storage;

namespace BotFlow.Host.Tests.Storage;

/// <summary>
/// A commit that holds the SQLite writer until the test lets it go, so whatever is queued or started meanwhile (step
/// reads, other writes, the host stopping) meets a writer that is in use.
/// </summary>
internal sealed class HeldWriter
{
    private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _write = Task.CompletedTask;

    /// <summary>Starts the commit and returns once it runs on the writer; <paramref name="then"/> runs in it after <see cref="ReleaseAsync"/>.</summary>
    public static async Task<HeldWriter> HoldAsync(SqliteDatabase database, Func<DbConnection, DbTransaction, Task>? then = null)
    {
        var held = new HeldWriter();
        var inside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        held._write = database.WriteAsync(async (c, tx) =>
        {
            inside.SetResult();
            await held._finish.Task;
            if (then is not null)
            {
                await then(c, tx);
            }
        }, CancellationToken.None);
        await inside.Task;
        return held;
    }

    /// <summary>Lets the commit finish and waits until it has.</summary>
    public async Task ReleaseAsync()
    {
        _finish.SetResult();
        await _write;
    }
}
