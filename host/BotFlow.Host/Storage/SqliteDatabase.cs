using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Storage;

/// <summary>The embedded default: one SQLite file in the data folder, WAL, one writer at a time.</summary>
public sealed class SqliteDatabase : BotFlowDatabase, IDisposable
{
    /// <summary>hardening.md: older native SQLite has CVE-2025-6965.</summary>
    public static readonly Version MinimumSqliteVersion = new(3, 50, 2);

    private readonly string _connectionString;
    // The step reads' connection is not pooled: its pragmas stay with the native handle, which must not serve anyone else later.
    private readonly string _readerConnectionString;
    private readonly int _busyTimeoutMs;
    private readonly int _walAutoCheckpointPages;
    private readonly TimeSpan _checkpointInterval;

    // SQLite allows one writer at a time; queueing writers here instead of letting them spin on SQLITE_BUSY
    // keeps latency flat under load.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    private readonly ILogger _logger;

    public SqliteDatabase(IOptions<StorageOptions> options, IHostEnvironment environment, ILogger<SqliteDatabase>? logger = null)
    {
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        // Before this database opens its first connection (docs/benchmarks.md: ~7% of a step's CPU in alternated pairs).
        if (options.Value.SqliteMultiThread)
        {
            SqliteThreading.Request();
        }

        var folder = Path.GetFullPath(options.Value.DataFolder, environment.ContentRootPath);
        Directory.CreateDirectory(folder);
        DataFolder = folder;
        FilePath = Path.Combine(folder, "botflow.db");
        _busyTimeoutMs = (int)options.Value.BusyTimeout.TotalMilliseconds;
        _walAutoCheckpointPages = options.Value.WalAutoCheckpointPages;
        _checkpointInterval = options.Value.WalCheckpointInterval;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = Math.Max(1, _busyTimeoutMs / 1000),
        }.ToString();
        _readerConnectionString = new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString();
        // The loop that runs step reads in rounds (ReadSnapshotAsync); it ends when Dispose completes the queue.
        _ = Task.Run(ReadLoopAsync);
    }

    public override string Provider => "Sqlite";

    /// <summary>The file belongs to this process, so every change to flows and fields passes through it.</summary>
    public override StepCatalogCache StepCache { get; } = new();

    public override string DataFolder { get; }

    public string FilePath { get; }

    public override string Describe() => FilePath;

    // Pooled connections keep their native handle: the pragmas are set once per handle, not on every open.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> _configured = new();

    public override Task<DbConnection> OpenAsync(CancellationToken ct) => OpenAsync(_connectionString, ct);

    private async Task<DbConnection> OpenAsync(string connectionString, CancellationToken ct)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        if (connection.Handle is { } handle && !_configured.TryGetValue(handle, out _))
        {
            using var pragma = connection.CreateCommand();
            // A small page cache per pooled connection: in WAL mode a reader's cache is dropped whenever another connection
            // has written, so under load it never holds more than one transaction's pages; the writer keeps a big one.
            pragma.CommandText = $"PRAGMA busy_timeout={_busyTimeoutMs}; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-{ReaderCacheKiB};";
            await pragma.ExecuteNonQueryAsync(ct);
            _configured.AddOrUpdate(handle, this);
        }

        return connection;
    }

    // Long-lived connections with their statements kept prepared (see BotFlowDatabase.Command), rented one caller at a time.
    private readonly System.Collections.Concurrent.ConcurrentBag<DbConnection> _idle = [];
    private const int ReaderCacheKiB = 256;
    // 2 MiB: under the boleto load 16 MiB cost 11–15 MB of peak RSS and saved no CPU, and 4 MiB cost 1–5 MB more than 2
    // for the same CPU (pages it misses come from the OS page cache; docs/benchmarks.md, eighth and eighteenth passes).
    private const int WriterCacheKiB = 2 * 1024;
    private const int MaxIdle = 32;
    // The step reads' connection: its cache starts empty every round (another connection has written since), so it
    // only ever holds one round's pages; 64 reads touch more than a pooled reader's 64 pages.
    private const int RoundCacheKiB = 2 * 1024;

    private volatile bool _disposed;

    /// <summary>
    /// Closes this database's connections when the host stops (the file must not stay open after the host). No
    /// connection is closed while another thread uses it: the writer only once the write gate is held (a commit still
    /// running finishes first), the step reader once its round has ended, a rented connection when it comes back.
    /// Closing a connection in use was harmless only under SQLite's serialized mode; with <see cref="SqliteThreading"/>
    /// it corrupts the connection.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _reads.Writer.TryComplete();
        CloseIdle();
        _stopping.Cancel();
        try
        {
            _checkpointer?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // It logs nothing and holds nothing once stopped; the file is closed either way.
        }

        CloseWhenFree(_writeGate, "writer", () =>
        {
            _writer?.Dispose();
            _writer = null;
        });
        CloseWhenFree(_readGate, "step reader", () =>
        {
            _reader?.Dispose();
            _reader = null;
        });
    }

    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="close"/> once <paramref name="gate"/> is free (what it guards is not in use).</summary>
    private void CloseWhenFree(SemaphoreSlim gate, string connection, Action close)
    {
        if (gate.Wait(DisposeWait))
        {
            try
            {
                close();
            }
            finally
            {
                gate.Release();
            }
        }
        else
        {
            // Something holds it past the wait: leaving the connection open beats closing it under its user.
            _logger.LogWarning("The SQLite {Connection} was still in use {Wait} after the host began stopping; it was left open.", connection, DisposeWait);
        }
    }

    private void CloseIdle()
    {
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }

    private readonly CancellationTokenSource _stopping = new();
    private Task? _checkpointer;
    private long _backgroundCheckpoints;

    /// <summary>Background checkpoints that ran (tests and diagnostics).</summary>
    internal long BackgroundCheckpoints => Interlocked.Read(ref _backgroundCheckpoints);

    /// <summary>Whether the background checkpointer is running (started by the first write, stopped by <see cref="Dispose"/>).</summary>
    internal bool CheckpointerRunning => _checkpointer is { IsCompleted: false };

    /// <summary>
    /// Copies committed WAL pages into the database file every <see cref="StorageOptions.WalCheckpointInterval"/> on a
    /// connection of its own, and brings the WAL back to its start once it holds
    /// <see cref="StorageOptions.WalAutoCheckpointPages"/>. A PASSIVE checkpoint runs beside commits but cannot let the
    /// WAL start over: only a checkpoint that sees no newer frame can, and under load there always is one. Left to the
    /// commit that crossed the size (SQLite's auto-checkpoint), that last checkpoint synced the WAL and every database
    /// page copied since the WAL last started over while every step waited for the writer: 20–40 ms, most of the p99
    /// (docs/benchmarks.md). So the loop first catches up without blocking anyone — copies what came in during the last
    /// pass and syncs the database file, until a round is quick — and only then takes the write gate for a checkpoint
    /// left with a few milliseconds of pages to copy and sync. That checkpoint also waits for the step reads' round in
    /// progress and holds the next one back (<c>_readGate</c>): a round's snapshot older than the WAL's end would stop it
    /// short of the end, and the WAL could not start over.
    /// </summary>
    private async Task CheckpointLoopAsync()
    {
        // Anything but a busy database (a disk error, a connection that broke) is logged and the loop starts again on a
        // new connection after a pause: the writer's own checkpoint bounds the WAL meanwhile, but without this loop the
        // commit that crosses it pays the whole sync again (the p99 above), so it must not end quietly.
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await CheckpointRoundsAsync();
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                // The host is stopping (whatever the connection threw on the way out, nothing is left to checkpoint).
                return;
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _checkpointerRestarts);
                _logger.LogWarning(ex, "The background WAL checkpoint failed; it starts again on a new connection in {Delay}.", CheckpointRestartDelay);
                try
                {
                    await Task.Delay(CheckpointRestartDelay, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>The pause before the loop starts again after a failure (shortened by tests).</summary>
    internal TimeSpan CheckpointRestartDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Runs before every round; tests make it throw to see the loop survive a failure.</summary>
    internal Action? BeforeCheckpointRound { get; set; }

    private long _checkpointerRestarts;

    /// <summary>Times the background checkpointer failed with something other than a busy database and started again (tests).</summary>
    internal long CheckpointerRestarts => Interlocked.Read(ref _checkpointerRestarts);

    private async Task CheckpointRoundsAsync()
    {
        await using var connection = await OpenAsync(_stopping.Token);
        using var command = Command(connection, "PRAGMA wal_checkpoint(PASSIVE)");
        var lastWalPages = -1;
        while (true)
        {
            await Task.Delay(_checkpointInterval, _stopping.Token);
            BeforeCheckpointRound?.Invoke();
            try
            {
                var pass = await CheckpointAsync(command);
                var idle = pass.WalPages == lastWalPages && pass.CopiedPages >= pass.WalPages;
                lastWalPages = pass.WalPages;
                // Small; or nothing committed since the last pass and every frame copied, so the next commit starts the
                // WAL over by itself; or a reader (an export, a long list on a pooled connection) keeps a snapshot older
                // than the WAL's end, which stops any checkpoint short of it — taking the gate now would pause commits
                // for nothing, and the next round looks again. A pass that nobody holds back copies every frame that
                // existed when it started, so "all copied" alone says nothing while commits go on.
                if (pass.WalPages < _walAutoCheckpointPages || idle || pass.CopiedPages < pass.WalPages)
                {
                    continue;
                }

                for (var round = 0; round < MaxCatchUpRounds; round++)
                {
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    await CheckpointAsync(command);
                    SqliteFileSync.TrySync((SqliteConnection)connection);
                    if (System.Diagnostics.Stopwatch.GetElapsedTime(started) < QuickCatchUpRound)
                    {
                        break;
                    }
                }

                await _writeGate.WaitAsync(_stopping.Token);
                try
                {
                    await _readGate.WaitAsync(_stopping.Token);
                    try
                    {
                        // Nothing commits and no step read holds a snapshot meanwhile, so this one copies every frame and
                        // the next commit starts the WAL over (unless a pooled reader still reads an older snapshot).
                        await CheckpointAsync(command);
                        Interlocked.Increment(ref _gatedCheckpoints);
                    }
                    finally
                    {
                        _readGate.Release();
                    }
                }
                finally
                {
                    _writeGate.Release();
                }
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode is SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED)
            {
                // Busy: the writer's own checkpoint (the backstop) still bounds the WAL; the next round tries again.
            }
        }
    }

    // Measured under the boleto load (~30,000 WAL pages a second): the first round takes 30–60 ms, the next 10–30, the
    // third usually under 8; the checkpoint under the gate then takes 1–10 ms instead of 20–40.
    private const int MaxCatchUpRounds = 4;
    private static readonly TimeSpan QuickCatchUpRound = TimeSpan.FromMilliseconds(8);

    /// <summary>Runs one PASSIVE checkpoint: the WAL's size in pages when it started and how many of them are now in the database file.</summary>
    private async Task<(int WalPages, int CopiedPages)> CheckpointAsync(DbCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync(_stopping.Token);
        Interlocked.Increment(ref _backgroundCheckpoints);
        // One row: busy, pages in the WAL, pages copied into the database file.
        return await reader.ReadAsync(_stopping.Token) ? (reader.GetInt32(1), reader.GetInt32(2)) : (0, 0);
    }

    private long _gatedCheckpoints;

    /// <summary>Checkpoints the background loop finished under the write gate so the WAL could start over (tests).</summary>
    internal long GatedCheckpoints => Interlocked.Read(ref _gatedCheckpoints);

    private async Task<DbConnection> RentAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var connection))
        {
            return connection;
        }

        connection = await OpenAsync(ct);
        KeepPrepared(connection);
        return connection;
    }

    private async ValueTask ReturnAsync(DbConnection connection, bool healthy)
    {
        if (healthy && _idle.Count < MaxIdle)
        {
            _idle.Add(connection);
            if (_disposed)
            {
                // Returned while the host stopped: Dispose may have emptied the bag before this one came back.
                CloseIdle();
            }

            return;
        }

        await connection.DisposeAsync();
    }

    public override async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct)
    {
        var connection = await RentAsync(ct);
        var healthy = false;
        try
        {
            var result = await work(connection);
            healthy = true;
            return result;
        }
        finally
        {
            await ReturnAsync(connection, healthy);
        }
    }

    /// <summary>
    /// A step's reads run in rounds on one connection of their own: the reads waiting when a round starts (up to 64) share
    /// one read transaction, so one snapshot. In WAL mode a connection drops its whole page cache when it finds that
    /// another connection has written since its last transaction, which under load is always: a pooled reader per read
    /// re-read every page of a step's lookups from the file (the first passes); a round pays that once for all its reads.
    /// </summary>
    /// <remarks>
    /// The reads ran on the writer, between commits, through the sixteenth pass (docs/benchmarks.md): the writer's cache
    /// survives commits, but commits and reads on one connection were the part of a step that cannot run in parallel,
    /// and under the step load that connection was busy 69–71% of the time. Here a round runs beside a commit. What keeps
    /// a step's read consistent: a round takes only the reads queued before its snapshot begins (it drains the queue,
    /// then starts its transaction), and a contact's next step queues its read only after its previous step's commit
    /// returned (the contact lock), so a read always sees its own contact's last commit; the catalog cache generation is
    /// taken before the snapshot too (<paramref name="work"/>'s second argument), so a flow or field saved while a round
    /// reads is never cached under the new generation with the value from before. A failed read fails alone; a read whose
    /// caller stopped waiting is skipped; reads queued when the host stops fail.
    /// </remarks>
    public override Task<T> ReadSnapshotAsync<T>(Func<DbConnection, long, Task<T>> work, CancellationToken ct)
    {
        var read = new SnapshotRead<T>(work, ct);
        if (!_reads.Writer.TryWrite(read))
        {
            read.Fail(new ObjectDisposedException(nameof(SqliteDatabase)));
        }

        return read.Task;
    }

    private readonly System.Threading.Channels.Channel<SnapshotRead> _reads =
        System.Threading.Channels.Channel.CreateUnbounded<SnapshotRead>(new() { SingleReader = true });

    /// <summary>At most this many reads share a snapshot (about a millisecond of reads).</summary>
    private const int MaxReadsPerRound = 64;

    // Held by a round of step reads; the background checkpoint that lets the WAL start over takes it after the write
    // gate, so no round's snapshot holds that checkpoint short of the WAL's end. Guards _reader.
    private readonly SemaphoreSlim _readGate = new(1, 1);

    // The connection the step reads run on (query only), opened by the first round and replaced after a failure.
    private DbConnection? _reader;

    private async Task ReadLoopAsync()
    {
        var reads = _reads.Reader;
        var round = new List<SnapshotRead>(MaxReadsPerRound);
        while (await reads.WaitToReadAsync())
        {
            await _readGate.WaitAsync();
            try
            {
                // The round's reads are taken before its snapshot begins: one queued later could be a contact's next step,
                // which must see the commit its previous step made after this snapshot began.
                while (round.Count < MaxReadsPerRound && reads.TryRead(out var read))
                {
                    round.Add(read);
                }

                StorageMetrics.ReadRoundReads.Record(round.Count);

                await ReadRoundAsync(round);
            }
            finally
            {
                round.Clear();
                _readGate.Release();
            }
        }
    }

    /// <summary>Runs <paramref name="round"/> in one read transaction; completes each read's task and never throws.</summary>
    private async Task ReadRoundAsync(List<SnapshotRead> round)
    {
        // Before the snapshot: whatever a read caches under it is at least as new as this generation says.
        var generation = StepCache.Generation;
        DbConnection? reader = null;
        foreach (var read in round)
        {
            if (read.CancelIfRequested())
            {
                continue;
            }

            try
            {
                if (reader is null)
                {
                    reader = await ReaderAsync();
                    await ExecuteAsync(reader, "BEGIN", null, CancellationToken.None);
                }
            }
            catch (Exception ex)
            {
                // Disposed, or the file cannot be opened: this read fails, the next one tries again.
                read.Fail(ex);
                reader = null;
                await DropReaderQuietlyAsync();
                continue;
            }

            if (!await read.RunAsync(reader, generation))
            {
                // A failed read may leave the connection in any state: the next read opens a fresh one (its snapshot
                // begins later still, so it sees at least what this one did).
                await AbandonReaderAsync(reader);
                reader = null;
            }
        }

        if (reader is not null)
        {
            try
            {
                await ExecuteAsync(reader, "COMMIT", null, CancellationToken.None);
            }
            catch (Exception)
            {
                // The reads are answered; a connection that cannot end its transaction must not serve the next round.
                await AbandonReaderAsync(reader);
            }
        }
    }

    private async ValueTask<DbConnection> ReaderAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_reader is null)
        {
            var reader = await OpenAsync(_readerConnectionString, CancellationToken.None);
            // Step reads only read (BotFlowDatabase.ReadSnapshotAsync): one that wrote would fail here instead of
            // writing beside the writer. (Before KeepPrepared, so ExecuteAsync disposes the command.)
            await ExecuteAsync(reader, $"PRAGMA query_only=ON; PRAGMA cache_size=-{RoundCacheKiB};", null, CancellationToken.None);
            KeepPrepared(reader);
            _reader = reader;
        }

        return _reader;
    }

    /// <summary>
    /// Ends the round's transaction, then drops the reader. The reader is not pooled, so closing it ends the transaction
    /// too; ending it first means a close that fails (which is only caught) does not leave a snapshot open that would
    /// hold the WAL's checkpoints back. (The driver does not track this transaction: it is SQL, not a DbTransaction.)
    /// </summary>
    private async Task AbandonReaderAsync(DbConnection reader)
    {
        try
        {
            await ExecuteAsync(reader, "ROLLBACK", null, CancellationToken.None);
        }
        catch (Exception)
        {
            // None open (the failure ended it) or the connection is broken; it is dropped either way.
        }

        await DropReaderQuietlyAsync();
    }

    private async Task DropReaderQuietlyAsync()
    {
        if (_reader is not { } reader)
        {
            return;
        }

        _reader = null;
        try
        {
            await reader.DisposeAsync();
        }
        catch (Exception)
        {
            // Already forgotten: a connection that fails to close cannot stop the read loop.
        }
    }

    private abstract class SnapshotRead
    {
        /// <summary>Completes the read as cancelled when its caller has stopped waiting; true if it did.</summary>
        public abstract bool CancelIfRequested();

        public abstract void Fail(Exception error);

        /// <summary>Runs the read inside the round's transaction and completes its task; false if it failed.</summary>
        public abstract Task<bool> RunAsync(DbConnection reader, long generation);
    }

    private sealed class SnapshotRead<T>(Func<DbConnection, long, Task<T>> work, CancellationToken ct) : SnapshotRead
    {
        // Asynchronous continuations: the caller's step must not run on the loop, inside the round.
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _done.Task;

        public override bool CancelIfRequested() => ct.IsCancellationRequested && _done.TrySetCanceled(ct);

        public override void Fail(Exception error)
        {
            if (error is OperationCanceledException && ct.IsCancellationRequested)
            {
                _done.TrySetCanceled(ct);
            }
            else
            {
                _done.TrySetException(error);
            }
        }

        public override async Task<bool> RunAsync(DbConnection reader, long generation)
        {
            try
            {
                _done.TrySetResult(await work(reader, generation));
                return true;
            }
            catch (Exception ex)
            {
                Fail(ex);
                return false;
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on the writer, holding the write gate; a failure drops the connection.</summary>
    private async Task<T> OnWriterAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct);
        try
        {
            var writer = await WriterAsync(ct);
            var healthy = false;
            try
            {
                var result = await work(writer);
                healthy = true;
                return result;
            }
            finally
            {
                if (!healthy)
                {
                    await DropWriterAsync();
                }
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    // The one connection that writes. Keeping it keeps its page cache valid between commits, so a commit finds the pages
    // it changes in memory instead of reading them from the file again. Guarded by _writeGate.
    private DbConnection? _writer;

    private async ValueTask<DbConnection> WriterAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is null)
        {
            var writer = await OpenAsync(ct);
            // With the background loop on, it brings the WAL back to its start at WalAutoCheckpointPages without making
            // commits wait; the writer's own checkpoint (inside the commit that crosses the size) is then only the
            // backstop, at four times the size. After a burst the WAL file is cut back to 64 MB. (Before KeepPrepared,
            // so ExecuteAsync disposes the command: one left to the finalizer would finalise its statement on the
            // writer while another thread commits on it.)
            await ExecuteAsync(writer, $"PRAGMA cache_size=-{WriterCacheKiB}; PRAGMA journal_size_limit={WalSizeLimit}; PRAGMA wal_autocheckpoint={WriterAutoCheckpointPages};", null, ct);
            KeepPrepared(writer);
            _writer = writer;
            if (_checkpointInterval > TimeSpan.Zero)
            {
                _checkpointer ??= Task.Run(CheckpointLoopAsync);
            }
        }

        return _writer;
    }

    /// <summary>A failed read or commit may leave the connection in any state: the next caller opens a fresh connection.</summary>
    private async ValueTask DropWriterAsync()
    {
        if (_writer is { } writer)
        {
            _writer = null;
            await writer.DisposeAsync();
        }
    }

    public override Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct) => OnWriterAsync(async writer =>
    {
        await using var tx = await writer.BeginTransactionAsync(ct);
        var result = await work(writer, tx);
        await tx.CommitAsync(ct);
        return result;
    }, ct);

    private const long WalSizeLimit = 64L * 1024 * 1024;

    /// <summary>
    /// The writer's own auto-checkpoint: the configured size without the background loop; with it, four times the size,
    /// above the about twice the size the loop lets the WAL reach under load, so only a WAL the loop cannot finish (readers
    /// holding older snapshots nearly all the time) meets it.
    /// </summary>
    internal int WriterAutoCheckpointPages => _checkpointInterval > TimeSpan.Zero ? 4 * _walAutoCheckpointPages : _walAutoCheckpointPages;

    public static async Task<Version> GetSqliteVersionAsync(DbConnection connection, CancellationToken ct)
    {
        using var command = Command(connection, "select sqlite_version()");
        var text = (string)(await command.ExecuteScalarAsync(ct))!;
        return Version.Parse(text);
    }
}
