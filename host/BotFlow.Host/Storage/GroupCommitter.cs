using System.Threading.Channels;
using BotFlow.Host.Conversations;

namespace BotFlow.Host.Storage;

/// <summary>
/// Commits the steps that arrive while a commit is running in one transaction. SQLite has one writer, so steps queue
/// anyway; paying the transaction and WAL-append cost once per batch instead of once per step is what makes a host that
/// persists every step fast (performance.md: ~270 µs per transaction alone vs ~45–100 µs grouped).
/// </summary>
internal sealed class GroupCommitter
{
    private const int MaxBatch = 256;

    private readonly BotFlowDatabase _db;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    private sealed record Pending(StepCommit Commit, TaskCompletionSource<IReadOnlyList<long>> Done);

    public GroupCommitter(BotFlowDatabase db)
    {
        _db = db;
        _ = Task.Run(LoopAsync);
    }

    /// <summary>No more steps: the loop finishes the queued ones and ends.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    public Task<IReadOnlyList<long>> CommitAsync(StepCommit commit, CancellationToken ct)
    {
        var done = new TaskCompletionSource<IReadOnlyList<long>>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(commit, done)))
        {
            done.SetException(new InvalidOperationException("the commit queue is closed"));
        }

        // The step is committed even if the caller stops waiting: the answer may be lost, the state never half-written.
        return ct.CanBeCanceled ? done.Task.WaitAsync(ct) : done.Task;
    }

    private async Task LoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            StorageMetrics.CommitSteps.Record(batch.Count);
            var results = new (IReadOnlyList<long>? Ids, Exception? Error)[batch.Count];
            try
            {
                // First the whole batch as one transaction with no savepoints: a step that fails to store is a bug or a
                // broken database, not something load brings, so paying two statements per step for it every time was
                // waste. If any step fails the transaction is rolled back and the batch stored again, each step in its own
                // savepoint, so only the failing step fails.
                if (!await TryCommitTogetherAsync(batch, results))
                {
                    await CommitOneByOneAsync(batch, results);
                }
            }
            catch (Exception ex)
            {
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(ex);
                }

                continue;
            }

            for (var i = 0; i < batch.Count; i++)
            {
                if (results[i].Error is { } error)
                {
                    batch[i].Done.TrySetException(error);
                }
                else
                {
                    batch[i].Done.TrySetResult(results[i].Ids!);
                }
            }
        }
    }

    private sealed class StepFailed : Exception;

    private async Task<bool> TryCommitTogetherAsync(List<Pending> batch, (IReadOnlyList<long>? Ids, Exception? Error)[] results)
    {
        try
        {
            await _db.WriteAsync(async (c, tx) =>
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    try
                    {
                        results[i] = (await SqlConversationStore.WriteStepAsync(c, tx, batch[i].Commit, CancellationToken.None), null);
                    }
                    catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
                    {
                        // Thrown out of the transaction so WriteAsync rolls it back; the batch is stored again step by step.
                        throw new StepFailed();
                    }
                }
            }, CancellationToken.None);
            return true;
        }
        catch (StepFailed)
        {
            return false;
        }
    }

    private async Task CommitOneByOneAsync(List<Pending> batch, (IReadOnlyList<long>? Ids, Exception? Error)[] results)
    {
        await _db.WriteAsync(async (c, tx) =>
        {
            for (var i = 0; i < batch.Count; i++)
            {
                // One savepoint name, released before the next step: as fixed SQL the three statements stay prepared on
                // the writer (DbTransaction.Save/Release would prepare and finalise a new statement twice per step).
                await BotFlowDatabase.Command(c, "SAVEPOINT step", tx).ExecuteNonQueryAsync();
                try
                {
                    results[i] = (await SqlConversationStore.WriteStepAsync(c, tx, batch[i].Commit, CancellationToken.None), null);
                    await BotFlowDatabase.Command(c, "RELEASE step", tx).ExecuteNonQueryAsync();
                }
                catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
                {
                    // ROLLBACK TO keeps the savepoint open; RELEASE closes it so the next step starts clean.
                    await BotFlowDatabase.Command(c, "ROLLBACK TO step", tx).ExecuteNonQueryAsync();
                    await BotFlowDatabase.Command(c, "RELEASE step", tx).ExecuteNonQueryAsync();
                    results[i] = (null, ex);
                }
            }
        }, CancellationToken.None);
    }
}
