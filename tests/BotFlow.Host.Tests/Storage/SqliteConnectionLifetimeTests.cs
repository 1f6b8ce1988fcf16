using System.Runtime.InteropServices;
using BotFlow.Host.Storage;
using BotFlow.Host.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace BotFlow.Host.Tests.Storage;

/// <summary>
/// In SQLite's multi-thread mode a connection must never be touched by two threads at once. Two ways that used to
/// happen: a command left to the garbage collector (its finalizer finalises the statement on the finalizer thread while
/// the connection's owner goes on), and the host's shutdown closing the writer while a commit still ran on it.
/// </summary>
public sealed class SqliteConnectionLifetimeTests
{
    [Fact]
    public async Task Statements_run_on_a_connection_that_keeps_none_leave_no_prepared_statement_behind()
    {
        var folder = BotFlowApp.NewFolder();
        Directory.CreateDirectory(folder);
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "plain.db")};Pooling=false");
        await connection.OpenAsync();
        var ids = new List<long>();

        await BotFlowDatabase.ExecuteAsync(connection, "create table t (id integer primary key autoincrement, s text)", null, CancellationToken.None);
        await BotFlowDatabase.InsertReturningIdsAsync(connection, "insert into t (s) values (@s) returning id", null, ids, CancellationToken.None, ("@s", "a"));
        var count = await BotFlowDatabase.ScalarAsync(connection, "select count(*) from t", null, CancellationToken.None);
        var first = await BotFlowDatabase.QueryFirstAsync(connection, "select s from t where id = @id", row => row.GetString(0), CancellationToken.None, ("@id", ids[0]));

        Assert.Equal(1L, count);
        Assert.Equal("a", first);
        // What a finalizer would otherwise finalise later, on another thread: nothing is left to it.
        Assert.Equal(IntPtr.Zero, NativeMethods.sqlite3_next_stmt(connection.Handle!.DangerousGetHandle(), IntPtr.Zero));
    }

    [Fact]
    public async Task Stopping_waits_for_the_running_commit_and_then_refuses_new_work()
    {
        using var app = new BotFlowApp();
        var database = app.Services.GetRequiredService<SqliteDatabase>();
        await database.WriteAsync((c, tx) => BotFlowDatabase.ExecuteAsync(c, "create table lifetime (s text)", tx, CancellationToken.None).AsTask(), CancellationToken.None);
        var held = await HeldWriter.HoldAsync(database, (c, tx) => BotFlowDatabase.ExecuteAsync(c, "insert into lifetime (s) values ('kept')", tx, CancellationToken.None).AsTask());

        await StopWhileHeldAsync(database, "commit", held.ReleaseAsync);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => database.WriteAsync((c, tx) => Task.CompletedTask, CancellationToken.None));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => database.ReadAsync(c => Task.FromResult(0), CancellationToken.None));
        await using var check = new SqliteConnection($"Data Source={database.FilePath};Pooling=false");
        await check.OpenAsync();
        await using var count = check.CreateCommand();
        count.CommandText = "select count(*) from lifetime where s = 'kept'";
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_connection_given_back_after_stopping_is_closed_not_kept()
    {
        using var app = new BotFlowApp();
        var database = app.Services.GetRequiredService<SqliteDatabase>();
        var inside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        System.Data.Common.DbConnection? used = null;
        var read = database.ReadAsync(async c =>
        {
            used = c;
            inside.SetResult();
            await finish.Task;
            return await BotFlowDatabase.ScalarAsync(c, "select 1", null, CancellationToken.None);
        }, CancellationToken.None);
        await inside.Task;

        database.Dispose();
        Assert.Equal(System.Data.ConnectionState.Open, used!.State);
        finish.SetResult();

        Assert.Equal(1L, await read);
        Assert.Equal(System.Data.ConnectionState.Closed, used.State);
    }

    [Fact]
    public async Task Step_reads_still_queued_when_the_host_stops_fail_instead_of_waiting_forever()
    {
        using var app = new BotFlowApp();
        var database = app.Services.GetRequiredService<SqliteDatabase>();
        var held = await HeldRound.HoldAsync(database);
        var queued = database.ReadSnapshotAsync((c, _) => Task.FromResult(1), CancellationToken.None);

        await StopWhileHeldAsync(database, "round of step reads", async () => Assert.Equal(0L, await held.ReleaseAsync()));

        // Nothing starts once stopping began: the read queued behind the round fails rather than runs or hangs.
        await Assert.ThrowsAsync<ObjectDisposedException>(() => queued.WaitAsync(TimeSpan.FromSeconds(10)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => database.ReadSnapshotAsync((c, _) => Task.FromResult(1), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>
    /// Stops the database while a commit or a round of step reads holds a connection: stopping must wait for it
    /// (<paramref name="what"/> says which), then finish once <paramref name="release"/> lets it go.
    /// </summary>
    private static async Task StopWhileHeldAsync(SqliteDatabase database, string what, Func<Task> release)
    {
        var stopping = Task.Run(database.Dispose);
        await Task.Delay(200);
        Assert.False(stopping.IsCompleted, $"the connection was closed under a running {what}");
        await release();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static class NativeMethods
    {
        // The prepared statements still open on a connection (NULL: none); SQLitePCLRaw only offers it once enabled.
        [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
        public static extern IntPtr sqlite3_next_stmt(IntPtr db, IntPtr stmt);
    }
}
