using BotFlow.Host.Storage;
using BotFlow.Host.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace BotFlow.Host.Tests.Storage;

public sealed class SqliteStorageTests
{
    [Fact]
    public async Task Native_sqlite_is_at_least_3_50_2()
    {
        using var app = new BotFlowApp();
        var database = app.Services.GetRequiredService<SqliteDatabase>();

        var version = await database.ReadAsync(c => SqliteDatabase.GetSqliteVersionAsync(c, CancellationToken.None), CancellationToken.None);

        Assert.True(version >= new Version(3, 50, 2), $"SQLite {version}");
    }

    [Fact]
    public async Task The_database_runs_in_wal_mode()
    {
        using var app = new BotFlowApp();
        var database = app.Services.GetRequiredService<SqliteDatabase>();

        var mode = await database.ReadAsync(async c => (string?)await SqliteDatabase.Command(c, "PRAGMA journal_mode").ExecuteScalarAsync(), CancellationToken.None);

        Assert.Equal("wal", mode);
    }

    [Theory]
    [InlineData("00:00:00", 1234)] // no background loop: the commit that crosses the size checkpoints
    [InlineData("00:00:00.100", 4 * 1234)] // the loop brings the WAL back; the writer's own checkpoint is the backstop
    public async Task The_writer_checkpoints_at_the_configured_wal_size_or_behind_the_background_loop(string interval, int expected)
    {
        using var app = new BotFlowApp().Set("BotFlow:Storage:WalAutoCheckpointPages", "1234").Set("BotFlow:Storage:WalCheckpointInterval", interval);
        var database = app.Services.GetRequiredService<SqliteDatabase>();

        var pages = await database.WriteAsync(async (c, tx) => Convert.ToInt32(await SqliteDatabase.Command(c, "PRAGMA wal_autocheckpoint", tx).ExecuteScalarAsync()), CancellationToken.None);

        Assert.Equal(expected, pages);
    }

    [Fact]
    public async Task While_steps_keep_reading_and_committing_the_background_loop_finishes_checkpoints_under_the_gate_and_the_wal_stays_bounded()
    {
        // Steps read and commit without a break, so a background pass never reaches the WAL's end by itself: the loop has
        // to finish under the write gate, and past the step reads' rounds, for the WAL to start over.
        using var app = LoopAtHundredPages();
        var database = app.Services.GetRequiredService<SqliteDatabase>();
        var store = app.Services.GetRequiredService<BotFlow.Host.Conversations.IConversationStore>();
        var padding = new string('x', 4000);
        var wal = new FileInfo(database.FilePath + "-wal");
        long largest = 0;
        var written = 0;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((database.GatedCheckpoints < 3 || written < 1_000) && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.WhenAll(Enumerable.Range(written, 4).Select(async i =>
            {
                await store.LoadStepAsync("f", $"k{i}", withConversation: true, null, CancellationToken.None);
                await Commit(store, $"k{i}", padding);
            }));
            written += 4;
            wal.Refresh();
            largest = Math.Max(largest, wal.Length);
        }

        Assert.True(database.GatedCheckpoints >= 3, $"{database.GatedCheckpoints} checkpoints under the write gate after {written} steps");
        // Each step takes several pages (its 4,000 characters spill over), so 1,000 steps put more than 5,000 frames through
        // the WAL; 4,120 bytes per frame. It overshoots the 100 pages by what commits add while the loop catches up, more
        // when other tests share the cores (the writer's own checkpoint at 400 is skipped while a pass holds the lock).
        Assert.True(largest < 2_500L * 4120, $"the WAL file reached {largest / 4120} pages after {written} steps");
    }

    [Fact]
    public async Task A_reader_holding_an_old_snapshot_does_not_make_the_loop_pause_commits_every_round()
    {
        using var app = LoopAtHundredPages();
        var database = app.Services.GetRequiredService<SqliteDatabase>();
        var store = app.Services.GetRequiredService<BotFlow.Host.Conversations.IConversationStore>();
        await Commit(store, "first", "Ana");
        var release = new TaskCompletionSource();
        var reading = new TaskCompletionSource();
        // An export-like read: one transaction on a pooled connection that stays open while steps are committed.
        var reader = database.ReadAsync(async c =>
        {
            await SqliteDatabase.Command(c, "BEGIN").ExecuteNonQueryAsync();
            await SqliteDatabase.Command(c, "select count(*) from contacts").ExecuteScalarAsync();
            reading.SetResult();
            await release.Task;
            await SqliteDatabase.Command(c, "COMMIT").ExecuteNonQueryAsync();
            return 0;
        }, CancellationToken.None);
        await reading.Task;
        var padding = new string('x', 4000);
        for (var i = 0; i < 40; i++)
        {
            await Commit(store, $"h{i}", padding);
        }

        await Task.Delay(300);
        var before = database.GatedCheckpoints;
        await Task.Delay(600);
        var during = database.GatedCheckpoints - before;
        release.SetResult();
        await reader;
        await Task.Delay(200);
        await Commit(store, "after", "Bia");

        // Thirty rounds ran in those 600 ms; none of them took the gate again for a WAL it could not finish.
        Assert.Equal(0, during);
        Assert.InRange(await WalPagesAsync(database), 1, 20);
    }

    // The background loop every 20 ms, finishing at 100 pages (the writer's own checkpoint at 400).
    private static BotFlowApp LoopAtHundredPages() =>
        new BotFlowApp().Set("BotFlow:Storage:WalAutoCheckpointPages", "100").Set("BotFlow:Storage:WalCheckpointInterval", "00:00:00.020");

    private static Task Commit(BotFlow.Host.Conversations.IConversationStore store, string contact, string name) =>
        store.CommitAsync(new BotFlow.Host.Conversations.StepCommit(contact, new Dictionary<string, string> { ["name"] = name }, true, null, []), CancellationToken.None);

    // wal_checkpoint answers (busy, pages in the WAL, pages copied): a WAL started over holds only the last commit.
    // While the background loop's own checkpoint runs, SQLite answers busy (1, -1, -1) at once: ask again.
    private static async Task<int> WalPagesAsync(SqliteDatabase database)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (busy, pages) = await database.ReadAsync(async c =>
            {
                await using var reader = await SqliteDatabase.Command(c, "PRAGMA wal_checkpoint(PASSIVE)").ExecuteReaderAsync();
                await reader.ReadAsync();
                return (reader.GetInt32(0), reader.GetInt32(1));
            }, CancellationToken.None);
            if (busy == 0 || attempt == 100)
            {
                return pages;
            }

            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task A_connections_database_file_syncs_through_sqlites_own_file()
    {
        using var app = new BotFlowApp();
        var database = app.Services.GetRequiredService<SqliteDatabase>();

        var synced = await database.ReadAsync(c => Task.FromResult(SqliteFileSync.TrySync((Microsoft.Data.Sqlite.SqliteConnection)c)), CancellationToken.None);

        Assert.True(synced);
    }

    [Theory]
    [InlineData("WalAutoCheckpointPages", "10", "WalAutoCheckpointPages must be between 100 and 1000000")]
    [InlineData("WalCheckpointInterval", "00:05:00", "WalCheckpointInterval must be between")]
    public void A_checkpoint_setting_out_of_range_stops_the_start_with_a_message_naming_it(string setting, string value, string message)
    {
        using var app = new BotFlowApp().Set($"BotFlow:Storage:{setting}", value);

        var error = app.StartupError();

        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Committed_pages_are_checkpointed_in_the_background_until_the_database_is_disposed()
    {
        var app = new BotFlowApp().Set("BotFlow:Storage:WalCheckpointInterval", "00:00:00.050");
        var database = app.Services.GetRequiredService<SqliteDatabase>();
        var store = app.Services.GetRequiredService<BotFlow.Host.Conversations.IConversationStore>();
        await store.CommitAsync(new BotFlow.Host.Conversations.StepCommit("c1", new Dictionary<string, string> { ["name"] = "Ana" }, true, null, []), CancellationToken.None);

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (database.BackgroundCheckpoints < 2 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        Assert.True(database.BackgroundCheckpoints >= 2, $"{database.BackgroundCheckpoints} background checkpoints in {waited.Elapsed}");
        Assert.True(database.CheckpointerRunning);
        app.Dispose();

        // WebApplicationFactory's Dispose can return while the host's services are still being disposed on another
        // thread (seen in ~1 run in 12: the database's Dispose began 2 ms after it returned), so the stop is awaited,
        // bounded by the 5 s the database's Dispose gives the loop.
        await Jobs.JobsApps.WaitUntilAsync(() => Task.FromResult(!database.CheckpointerRunning), "the checkpointer to stop once the host is disposed", seconds: 10);
        Assert.False(database.CheckpointerRunning);
    }

    [Fact]
    public async Task A_failing_checkpoint_round_is_logged_and_the_loop_starts_again_on_a_new_connection()
    {
        using var app = new BotFlowApp().Set("BotFlow:Storage:WalCheckpointInterval", "00:00:00.050");
        var database = app.Services.GetRequiredService<SqliteDatabase>();
        database.CheckpointRestartDelay = TimeSpan.FromMilliseconds(50);
        var failures = 0;
        database.BeforeCheckpointRound = () =>
        {
            if (Interlocked.Increment(ref failures) <= 2)
            {
                throw new IOException("disk went away");
            }
        };
        var store = app.Services.GetRequiredService<BotFlow.Host.Conversations.IConversationStore>();
        await store.CommitAsync(new BotFlow.Host.Conversations.StepCommit("c1", new Dictionary<string, string> { ["name"] = "Ana" }, true, null, []), CancellationToken.None);

        await Jobs.JobsApps.WaitUntilAsync(() => Task.FromResult(database.CheckpointerRestarts >= 2), "two failed rounds", seconds: 10);
        var afterFailures = database.BackgroundCheckpoints;
        await Jobs.JobsApps.WaitUntilAsync(() => Task.FromResult(database.BackgroundCheckpoints >= afterFailures + 2), "checkpoints after the failures", seconds: 10);

        Assert.Equal(2, database.CheckpointerRestarts);
        Assert.True(database.BackgroundCheckpoints >= afterFailures + 2, $"{database.BackgroundCheckpoints - afterFailures} background checkpoints after the failures");
        Assert.True(database.CheckpointerRunning);
    }

    [Fact]
    public async Task Conversations_of_a_schema_8_database_survive_the_move_to_the_contact_clustered_table()
    {
        var folder = DatabaseAtSchema(8, """
                insert into contacts (id, fields, created_at, updated_at) values ('5511999990000', '{"name":"Ana"}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
                insert into conversations (flow_id, contact_id, id, flow_version, status, block_id, waiting, vars, response, department, started_at, updated_at)
                  values ('boleto', '5511999990000', 'c1', 3, 'transferred', 'humano', 0, '{"n":1}', null, 'financeiro', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'),
                         ('outro', '5511999990000', 'c2', 1, 'waiting', 'cpf', 1, '{}', '{"status":200}', null, '2026-01-01T00:00:00Z', '2026-01-03T00:00:00Z');
                """);

        using var app = new BotFlowApp(folder);
        var store = app.Services.GetRequiredService<BotFlow.Host.Conversations.IConversationStore>();

        var waiting = await store.GetAsync("outro", "5511999990000", CancellationToken.None);
        var transferred = await store.ListByStatusAsync("5511999990000", "transferred", CancellationToken.None);

        Assert.Equal(("c2", 1, "cpf", true, "{\"status\":200}"), (waiting!.Id, waiting.FlowVersion, waiting.BlockId, waiting.Waiting, waiting.ResponseJson));
        Assert.Equal(("c1", "financeiro", "{\"n\":1}"), (transferred.Single().Id, transferred.Single().Department, transferred.Single().VarsJson));
        var database = app.Services.GetRequiredService<SqliteDatabase>();
        var withoutRowid = await database.ReadAsync(async c =>
            (string?)await SqliteDatabase.Command(c, "select sql from sqlite_master where name = 'conversations'").ExecuteScalarAsync(), CancellationToken.None);
        Assert.Contains("without rowid", withoutRowid, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Large_conversation_state_of_a_schema_9_database_moves_beside_the_row_and_reads_back_the_same()
    {
        var largeResponse = "{\"status\":200,\"body\":{\"pdf\":\"" + new string('x', 200_000) + "\"}}";
        var folder = DatabaseAtSchema(9, """
                insert into conversations (flow_id, contact_id, id, flow_version, status, block_id, waiting, vars, response, department, started_at, updated_at)
                  values ('boleto', 'a', 'c1', 1, 'ended', null, 0, '{"n":1}', @large, null, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'),
                         ('boleto', 'b', 'c2', 1, 'waiting', 'cpf', 1, '{"n":2}', '{"status":200}', null, '2026-01-01T00:00:00Z', '2026-01-03T00:00:00Z');
                """, ("@large", largeResponse));

        using var app = new BotFlowApp(folder);
        var store = app.Services.GetRequiredService<BotFlow.Host.Conversations.IConversationStore>();
        var database = app.Services.GetRequiredService<SqliteDatabase>();

        var large = await store.GetAsync("boleto", "a", CancellationToken.None);
        var small = await store.GetAsync("boleto", "b", CancellationToken.None);

        Assert.Equal(("{\"n\":1}", largeResponse), (large!.VarsJson, large.ResponseJson));
        Assert.NotNull(large.PayloadId);
        Assert.Equal(("{\"n\":2}", "{\"status\":200}", (long?)null), (small!.VarsJson, small.ResponseJson, small.PayloadId));
        var inline = await database.ReadAsync(async c =>
            (long)(await SqliteDatabase.Command(c, "select count(*) from conversations where length(response) > 1000").ExecuteScalarAsync())!, CancellationToken.None);
        Assert.Equal(0L, inline);
    }

    [Fact]
    public async Task Messages_and_executions_of_a_schema_11_database_are_found_by_contact_after_the_move_to_the_arrival_index()
    {
        var folder = DatabaseAtSchema(11, """
                insert into contacts (id, fields, created_at, updated_at) values ('ana', '{"name":"Ana"}', '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:00.0000000Z');
                insert into messages (contact_id, flow_id, conversation_id, block_id, direction, text, status, channel, created_at)
                  values ('ana', 'boleto', 'c1', 'a', 'in', 'oi', 'delivered', 'whatsapp', '2026-01-01T00:00:01.0000000Z'),
                         ('gone', 'boleto', 'c2', 'a', 'out', 'de alguém que já não existe', 'delivered', 'test', '2026-01-01T00:00:02.0000000Z'),
                         ('ana', 'boleto', 'c1', 'b', 'out', 'Olá, Ana!', 'delivered', 'whatsapp', '2026-01-01T00:00:03.0000000Z');
                insert into executions (id, attempt, kind, flow_id, flow_version, block_id, contact_id, started_at, duration_ms, outcome)
                  values ('e1', 1, 'conversation', 'boleto', 1, 'a', 'ana', '2026-01-01T00:00:01.0000000Z', 12.5, 'success'),
                         ('e2', 1, 'test', null, null, null, null, '2026-01-01T00:00:02.0000000Z', 3, 'success');
                """);

        using var app = new BotFlowApp(folder);
        var contacts = app.Services.GetRequiredService<BotFlow.Host.Contacts.IContactStore>();
        var executions = app.Services.GetRequiredService<BotFlow.Host.Executions.IExecutionStore>();
        var database = app.Services.GetRequiredService<SqliteDatabase>();

        Assert.Equal(["oi", "Olá, Ana!"], (await contacts.GetMessagesAsync("ana", 0, 10, CancellationToken.None)).Select(m => m.Text));
        Assert.Equal(["de alguém que já não existe"], (await contacts.GetMessagesAsync("gone", 0, 10, CancellationToken.None)).Select(m => m.Text));
        Assert.Equal(["e1"], (await executions.ListAsync(new BotFlow.Host.Executions.ExecutionFilter(null, "ana", null, null, 10), CancellationToken.None)).Select(e => e.Id));
        var filled = await database.ReadAsync(async c =>
            (long)(await SqliteDatabase.Command(c, "select count(*) from messages where contact_created_at = '2026-01-01T00:00:00.0000000Z'").ExecuteScalarAsync())!, CancellationToken.None);
        Assert.Equal(2L, filled);
        var oldIndexes = await database.ReadAsync(async c =>
            (long)(await SqliteDatabase.Command(c, "select count(*) from sqlite_master where name in ('messages_contact', 'executions_contact')").ExecuteScalarAsync())!, CancellationToken.None);
        Assert.Equal(0L, oldIndexes);

        await contacts.EraseAsync("ana", CancellationToken.None);

        Assert.Empty(await contacts.GetMessagesAsync("ana", 0, 10, CancellationToken.None));
        Assert.Single(await contacts.GetMessagesAsync("gone", 0, 10, CancellationToken.None));
    }

    [Fact]
    public async Task Conversations_of_a_schema_13_database_are_found_by_contact_after_the_move_to_the_creation_time_key()
    {
        var folder = DatabaseAtSchema(13, """
                insert into contacts (id, fields, created_at, updated_at) values ('ana', '{"name":"Ana"}', '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:00.0000000Z');
                insert into conversations (contact_id, flow_id, id, flow_version, status, block_id, waiting, vars, response, department, started_at, updated_at)
                  values ('ana', 'boleto', 'c1', 2, 'waiting', 'cpf', 1, '{"n":1}', null, null, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'),
                         ('ana', 'humano', 'c2', 1, 'transferred', 'fila', 0, '{}', null, 'financeiro', '2026-01-01T00:00:00Z', '2026-01-03T00:00:00Z'),
                         ('gone', 'boleto', 'c3', 1, 'waiting', 'cpf', 1, '{"n":3}', null, null, '2026-01-01T00:00:00Z', '2026-01-04T00:00:00Z');
                """);

        using var app = new BotFlowApp(folder);
        var store = app.Services.GetRequiredService<BotFlow.Host.Conversations.IConversationStore>();
        var contacts = app.Services.GetRequiredService<BotFlow.Host.Contacts.IContactStore>();
        var database = app.Services.GetRequiredService<SqliteDatabase>();
        Task<string> ScalarAsync(string sql) =>
            database.ReadAsync(async c => Convert.ToString(await SqliteDatabase.Command(c, sql).ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!, CancellationToken.None);

        var waiting = await store.GetAsync("boleto", "ana", CancellationToken.None);
        Assert.Equal(("c1", "cpf", "{\"n\":1}"), (waiting!.Id, waiting.BlockId, waiting.VarsJson));
        Assert.Equal(["c2"], (await store.ListByStatusAsync("ana", "transferred", CancellationToken.None)).Select(c => c.Id));
        // A conversation whose contact is gone keeps '' for the time, and is found all the same.
        Assert.Equal("c3", (await store.GetAsync("boleto", "gone", CancellationToken.None))!.Id);
        // A contact created later under that id continues it; its row is stored under its own time and read before the
        // one under '', which stays until the contact is erased.
        var continued = (await store.GetAsync("boleto", "gone", CancellationToken.None))! with { Id = "c4", BlockId = "fim" };
        await store.CommitAsync(new BotFlow.Host.Conversations.StepCommit("gone", new Dictionary<string, string>(), true, continued, []), CancellationToken.None);
        Assert.Equal(("c4", "fim"), ((await store.GetAsync("boleto", "gone", CancellationToken.None))!.Id, (await store.GetAsync("boleto", "gone", CancellationToken.None))!.BlockId));
        Assert.Equal("2", await ScalarAsync("select count(*) from conversations where contact_id = 'gone'"));
        Assert.Equal("2", await ScalarAsync("select count(*) from conversations where contact_created_at = '2026-01-01T00:00:00.0000000Z'"));
        Assert.Equal("contact_created_at", await ScalarAsync("select name from pragma_index_info('sqlite_autoindex_conversations_1') where seqno = 0"));

        await contacts.EraseAsync("ana", CancellationToken.None);
        await contacts.EraseAsync("gone", CancellationToken.None);

        Assert.Equal("0", await ScalarAsync("select count(*) from conversations"));
    }

    [Fact]
    public async Task A_failed_step_read_leaves_its_connection_clean_for_the_next_reads()
    {
        using var app = new BotFlowApp();
        var database = app.Services.GetRequiredService<SqliteDatabase>();

        await Assert.ThrowsAsync<InvalidOperationException>(() => database.ReadSnapshotAsync<long>(async (c, _) =>
        {
            await HeldRound.CountContactsAsync(c);
            throw new InvalidOperationException("boom");
        }, CancellationToken.None));

        // Step reads share one connection in rounds: the failed one must not leave it inside its transaction, or every
        // read after it would see the state of that moment for good.
        var counts = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => database.ReadSnapshotAsync(async (c, _) =>
        {
            var count = await HeldRound.CountContactsAsync(c);
            await Task.Delay(20);
            return count;
        }, CancellationToken.None)));
        await InsertContactAsync(database, "x");

        Assert.All(counts, count => Assert.Equal(0L, count));
        Assert.Equal(1L, await CountAsync(database));
    }

    [Fact]
    public async Task Step_reads_queued_during_a_round_wait_for_the_next_and_see_the_commits_made_meanwhile()
    {
        using var app = new BotFlowApp();
        var database = app.Services.GetRequiredService<SqliteDatabase>();
        var held = await HeldRound.HoldAsync(database);

        var early = new[] { CountAsync(database), CountAsync(database) };
        // Commits do not wait for step reads: the round's snapshot stays older than this one.
        await InsertContactAsync(database, "x");
        // Like a contact's next step, queued after its last step's commit returned: it must see that commit, so it cannot
        // share the snapshot the held round began before it.
        var late = new[] { CountAsync(database), CountAsync(database) };
        var failing = database.ReadSnapshotAsync<long>(async (c, _) =>
        {
            await HeldRound.CountContactsAsync(c);
            throw new InvalidOperationException("boom");
        }, CancellationToken.None);
        await Task.Delay(50);
        Assert.All(early.Concat(late).Append(failing), read => Assert.False(read.IsCompleted, "a step read ran inside a round it was queued after"));

        Assert.Equal(0L, await held.ReleaseAsync());
        Assert.Equal(new[] { 1L, 1L }, await Task.WhenAll(early));
        Assert.Equal(new[] { 1L, 1L }, await Task.WhenAll(late));
        Assert.Equal("boom", (await Assert.ThrowsAsync<InvalidOperationException>(() => failing)).Message);
        await InsertContactAsync(database, "y");
        Assert.Equal(2L, await CountAsync(database));
    }

    [Fact]
    public async Task Step_reads_waiting_together_share_one_round_and_operators_see_its_size()
    {
        using var app = new BotFlowApp();
        var database = app.Services.GetRequiredService<SqliteDatabase>();
        var rounds = new System.Collections.Concurrent.ConcurrentBag<int>();
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument is { Meter.Name: "BotFlow.Storage", Name: "botflow.storage.read.round" })
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, size, _, _) => rounds.Add(size));
        listener.Start();
        var held = await HeldRound.HoldAsync(database);

        // Seven reads queue behind the held round (a read is queued when it is asked for), then run in the next one, together.
        var waiting = Enumerable.Range(0, 7).Select(_ => CountAsync(database)).ToArray();
        await held.ReleaseAsync();

        Assert.All(await Task.WhenAll(waiting), count => Assert.Equal(0L, count));
        // Other tests' rounds may be counted too (one meter per process); this one's seven are among them.
        Assert.Contains(7, rounds);
    }

    [Fact]
    public async Task A_flow_saved_while_a_round_reads_is_not_cached_at_its_old_version()
    {
        using var app = new BotFlowApp();
        var database = app.Services.GetRequiredService<SqliteDatabase>();
        var flows = app.Services.GetRequiredService<BotFlow.Host.Flows.IFlowStore>();
        var store = app.Services.GetRequiredService<BotFlow.Host.Conversations.IConversationStore>();
        await flows.SaveAsync("cached", "Cached", """{"id":"cached","start":"a","blocks":[{"id":"a","type":"message","config":{"text":"v1"}}]}""", [], CancellationToken.None);
        Task<int?> LatestAsync() => store.LoadStepAsync("cached", "ana", withConversation: true, null, CancellationToken.None).ContinueWith(t => t.Result.LatestFlowVersion);
        var first = (await LatestAsync())!.Value;

        // The next round holds a read whose snapshot begins before the save and one that reads the flow after the save.
        var gate = await HeldRound.HoldAsync(database, snapshot: false);
        var opening = HeldRound.Queue(database);
        var inSameRound = LatestAsync();
        await gate.ReleaseAsync();
        await opening.Running;
        await flows.SaveAsync("cached", "Cached", """{"id":"cached","start":"a","blocks":[{"id":"a","type":"message","config":{"text":"v2"}}]}""", [], CancellationToken.None);
        await opening.ReleaseAsync();

        // That round's snapshot predates the save, so it still reads the old version; what it caches must not outlive it.
        Assert.Equal(first, await inSameRound);
        Assert.Equal(first + 1, await LatestAsync());
    }

    [Fact]
    public async Task A_step_read_whose_caller_stopped_waiting_before_its_turn_is_cancelled_and_not_run()
    {
        using var app = new BotFlowApp();
        var database = app.Services.GetRequiredService<SqliteDatabase>();
        var held = await HeldRound.HoldAsync(database);
        using var abandoned = new CancellationTokenSource();
        var ran = false;

        var read = database.ReadSnapshotAsync((c, _) => Task.FromResult(ran = true), abandoned.Token);
        abandoned.Cancel();
        await held.ReleaseAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        Assert.False(ran);
        Assert.Equal(0L, await CountAsync(database));
    }

    private static Task<long> CountAsync(SqliteDatabase database) =>
        database.ReadSnapshotAsync((c, _) => HeldRound.CountContactsAsync(c), CancellationToken.None);

    private static Task InsertContactAsync(SqliteDatabase database, string id) => database.WriteAsync((c, tx) => SqliteDatabase.ExecuteAsync(c,
        "insert into contacts (id, fields, created_at, updated_at) values (@id, '{}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')", tx, CancellationToken.None, ("@id", id)).AsTask(), CancellationToken.None);

    [Fact]
    public async Task A_step_that_fails_inside_a_group_commit_fails_alone()
    {
        using var app = new BotFlowApp();
        var store = app.Services.GetRequiredService<BotFlow.Host.Conversations.IConversationStore>();
        var now = DateTimeOffset.UtcNow;
        BotFlow.Host.Conversations.StepCommit Step(int i, string? text) => new($"c{i}", new Dictionary<string, string> { ["name"] = $"N{i}" }, true, null,
            [new BotFlow.Host.Conversations.NewMessage("in", text!, null, "received", "test", now)]);

        // Queued together, so they share commits; step 7's message has no text (NOT NULL), the others are fine.
        var commits = Enumerable.Range(0, 20).Select(i => store.CommitAsync(Step(i, i == 7 ? null : $"oi {i}"), CancellationToken.None)).ToList();
        var outcomes = await Task.WhenAll(commits.Select(async c =>
        {
            try
            {
                await c;
                return true;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
            {
                return false;
            }
        }));

        Assert.Equal(Enumerable.Range(0, 20).Select(i => i != 7), outcomes);
        Assert.Null(await store.GetContactAsync("c7", CancellationToken.None));
        Assert.Equal("N8", (await store.GetContactAsync("c8", CancellationToken.None))!.Fields["name"]);
        // The writer is still in a clean state: a later step commits.
        await store.CommitAsync(Step(30, "depois"), CancellationToken.None);
        Assert.NotNull(await store.GetContactAsync("c30", CancellationToken.None));
    }

    [Fact]
    public async Task The_wal_stays_small_while_readers_and_group_commits_run_together()
    {
        // 250 pages, so the writer's own checkpoint (four times that: 1,000 pages, 4 MB) is crossed many times by the 80 MB
        // below.
        using var app = new BotFlowApp().Set("BotFlow:Storage:WalAutoCheckpointPages", "250");
        var database = app.Services.GetRequiredService<SqliteDatabase>();
        var store = app.Services.GetRequiredService<BotFlow.Host.Conversations.IConversationStore>();
        var padding = new string('x', 4000);
        using var done = new CancellationTokenSource();

        // Readers on pooled connections (API lists, exports) that keep reading: what once kept a background checkpointer
        // from ever emptying the WAL.
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                await database.ReadAsync(async c => await SqliteDatabase.Command(c, "select count(*) from contacts").ExecuteScalarAsync(), CancellationToken.None);
                await Task.Delay(1);
            }
        })).ToList();
        const int steps = 10_000;
        for (var written = 0; written < steps; written += 20)
        {
            // 20 steps at a time, so they share commits like concurrent requests do; each row spills onto a second page.
            await Task.WhenAll(Enumerable.Range(written, 20).Select(i => store.CommitAsync(new BotFlow.Host.Conversations.StepCommit(
                $"w{i}", new Dictionary<string, string> { ["name"] = padding }, true, null, []), CancellationToken.None)));
        }

        done.Cancel();
        await Task.WhenAll(readers);
        // About 80 MB of pages went through the WAL. The readers keep snapshots open nearly all the time, so the background
        // loop rarely finds a moment to finish and the writer's own checkpoint at 1,000 pages keeps it near 4 MB.
        var wal = new FileInfo(database.FilePath + "-wal");
        Assert.True(wal.Length < 16L * 1024 * 1024, $"WAL is {wal.Length / 1024 / 1024} MB after {steps} steps");
    }

    /// <summary>A data folder whose database stops at schema <paramref name="version"/>, holding <paramref name="rows"/>.</summary>
    private static string DatabaseAtSchema(int version, string rows, params (string Name, object Value)[] parameters)
    {
        var folder = BotFlowApp.NewFolder();
        Directory.CreateDirectory(folder);
        using var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, "botflow.db")};Pooling=false");
        old.Open();
        using var create = old.CreateCommand();
        create.CommandText = string.Join(";\n", SchemaMigrator.SqliteMigrations.Take(version))
            + ";\ncreate table schema_version (version integer not null);\n"
            + $"insert into schema_version (version) values {string.Join(", ", Enumerable.Range(1, version).Select(v => $"({v})"))};\n"
            + rows;
        foreach (var (name, value) in parameters)
        {
            create.Parameters.AddWithValue(name, value);
        }

        create.ExecuteNonQuery();
        return folder;
    }
}
