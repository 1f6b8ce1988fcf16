using System.Data.Common;

namespace BotFlow.Host.Storage;

/// <summary>
/// Versioned migrations (SQLite's list; PostgreSQL's derived from it), applied at start-up in order. A database whose
/// schema is newer than this build knows is refused, so an older host never writes into a newer layout.
/// </summary>
public sealed class SchemaMigrator(BotFlowDatabase database, ILogger<SchemaMigrator> logger)
{
    internal static readonly string[] SqliteMigrations =
    [
        // 1: foundation
        """
        create table fields (
            key text primary key,
            label text not null,
            type text not null,
            options text null,
            built_in integer not null default 0,
            updated_at text not null);
        create table flows (
            id text primary key,
            name text not null,
            version integer not null,
            document text not null,
            updated_at text not null);
        create table flow_versions (
            flow_id text not null,
            version integer not null,
            document text not null,
            created_at text not null,
            primary key (flow_id, version));
        create table flow_fields (
            flow_id text not null,
            field_key text not null,
            primary key (flow_id, field_key));
        create table contacts (
            id text primary key,
            fields text not null,
            created_at text not null,
            updated_at text not null);
        create table conversations (
            flow_id text not null,
            contact_id text not null,
            id text not null,
            flow_version integer not null,
            status text not null,
            block_id text null,
            waiting integer not null,
            vars text not null,
            response text null,
            department text null,
            started_at text not null,
            updated_at text not null,
            primary key (flow_id, contact_id));
        create index conversations_contact on conversations (contact_id);
        create table messages (
            id integer primary key autoincrement,
            contact_id text not null,
            flow_id text null,
            conversation_id text null,
            block_id text null,
            direction text not null,
            text text not null,
            status text not null,
            channel text not null,
            created_at text not null);
        create index messages_contact on messages (contact_id, id);
        create index messages_outbox on messages (status, id) where status = 'pending';
        """,
        // 2: integrations — encrypted secrets and the execution history
        """
        create table secrets (
            name text primary key,
            protected_value text not null,
            updated_at text not null);
        create table executions (
            id text not null,
            attempt integer not null,
            kind text not null,
            flow_id text null,
            flow_version integer null,
            block_id text null,
            contact_id text null,
            job_id text null,
            started_at text not null,
            duration_ms real not null,
            outcome text not null,
            error text null,
            warnings text null,
            request text null,
            response text null,
            idempotency_key text null,
            seq integer primary key autoincrement);
        create unique index executions_try on executions (id, attempt);
        create index executions_flow on executions (flow_id, seq);
        create index executions_contact on executions (contact_id, seq);
        """,
        // 3: background jobs — tries that run later (retries, fire-and-forget, schedules) and recurring integrations
        """
        create table background_executions (
            id text primary key,
            kind text not null,
            flow_id text null,
            flow_version integer null,
            block_id text null,
            contact_id text null,
            first_attempt integer not null,
            next_attempt integer not null,
            last_attempt integer not null,
            backoff text not null,
            status text not null,
            job_id text null,
            run_at text null,
            error text null,
            created_at text not null,
            updated_at text not null);
        create index background_executions_contact on background_executions (contact_id);
        create index background_executions_status on background_executions (status);
        create table recurring_integrations (
            id text primary key,
            cron text not null,
            time_zone text not null,
            config text not null,
            updated_at text not null);
        """,
        // 4: security — the audit log
        """
        create table audit (
            seq integer primary key autoincrement,
            at text not null,
            actor text not null,
            method text not null,
            action text not null,
            resource text not null,
            resource_id text null,
            status integer not null);
        create index audit_resource on audit (resource, seq);
        create index audit_actor on audit (actor, seq);
        """,
        // 5: Data Protection keys in the database (used by PostgreSQL hosts, which share them)
        """
        create table data_protection_keys (
            friendly_name text primary key,
            xml text not null);
        """,
        // 6: channels — configured channels, inbound dedupe by provider message id, and delivery state on outgoing messages (the outbox)
        """
        alter table messages add column options text null;
        alter table messages add column provider_message_id text null;
        alter table messages add column error text null;
        alter table messages add column attempts integer not null default 0;
        alter table messages add column next_attempt_at text null;
        alter table messages add column updated_at text null;
        create index messages_provider on messages (channel, provider_message_id) where provider_message_id is not null;
        create index messages_contact_outbox on messages (contact_id, id) where status = 'pending';
        create table channels (
            id text primary key,
            type text not null,
            flow_id text not null,
            settings text not null,
            updated_at text not null);
        create table channel_inbound (
            channel_id text not null,
            provider_message_id text not null,
            contact_id text not null,
            received_at text not null,
            primary key (channel_id, provider_message_id));
        create index channel_inbound_contact on channel_inbound (contact_id);
        """,
        // 7: scale-out — the hosts sharing this database and the block types each has loaded
        """
        create table hosts (
            name text primary key,
            block_types text not null,
            seen_at text not null);
        """,
        // 8: hand-off events — one row per event and subscriber, delivered in order per contact like the message outbox
        """
        create table events (
            id integer primary key autoincrement,
            contact_id text not null,
            type text not null,
            url text not null,
            secret_name text not null,
            data text not null,
            status text not null,
            attempts integer not null default 0,
            error text null,
            next_attempt_at text null,
            created_at text not null,
            updated_at text null);
        create index events_contact_pending on events (contact_id, id) where status = 'pending';
        """,
        // 9: conversations clustered by contact (docs/benchmarks.md): the table is its own (contact_id, flow_id) index, so a
        // stored step writes one page of it instead of a row page, a primary-key index page and a contact index page.
        """
        create table conversations_by_contact (
            contact_id text not null,
            flow_id text not null,
            id text not null,
            flow_version integer not null,
            status text not null,
            block_id text null,
            waiting integer not null,
            vars text not null,
            response text null,
            department text null,
            started_at text not null,
            updated_at text not null,
            primary key (contact_id, flow_id)) without rowid;
        insert into conversations_by_contact (contact_id, flow_id, id, flow_version, status, block_id, waiting, vars, response, department, started_at, updated_at)
            select contact_id, flow_id, id, flow_version, status, block_id, waiting, vars, response, department, started_at, updated_at from conversations;
        drop table conversations;
        alter table conversations_by_contact rename to conversations;
        """,
        // 10: a conversation's vars and response move out of its row when they are large (docs/benchmarks.md). The
        // table is an index keyed by (contact_id, flow_id), and SQLite compares an index cell that spills onto overflow
        // pages by reading the whole cell: with a 250 KB response stored inline, every seek past such a row read
        // 64 pages. Large state lives in a rowid table, where seeks compare integers.
        """
        alter table conversations add column payload_id bigint null;
        create table conversation_payloads (
            id integer primary key autoincrement,
            vars text not null,
            response text null);
        """,
        // 11: the rows stored before 10 that are large move now, not at their next step: an ended conversation is never
        // written again. PostgreSQL keeps large values out of line by itself (TOAST), so there the move is skipped.
        SqliteOnly + """
        create temp table moving as
            select contact_id, flow_id, vars, response,
                (select coalesce(max(id), 0) from conversation_payloads) + row_number() over (order by contact_id, flow_id) as id
            from conversations
            where payload_id is null and length(cast(vars as blob)) + coalesce(length(cast(response as blob)), 0) > 600;
        insert into conversation_payloads (id, vars, response) select id, vars, response from moving;
        update conversations set payload_id = (select m.id from moving m where m.contact_id = conversations.contact_id and m.flow_id = conversations.flow_id),
            vars = '{}', response = null
            where exists (select 1 from moving m where m.contact_id = conversations.contact_id and m.flow_id = conversations.flow_id);
        drop table moving;
        """,
        // 12: a contact's messages and executions indexed by the contact's creation time first (docs/benchmarks.md,
        // "Sixth pass"). Keyed by the contact's text id, a new contact's rows went to a random page of each index, and
        // under load those random pages were what the checkpoints copied and synced; keyed by when the contact was
        // created, a new contact's rows land at the end of the index, on pages the rows before them already made dirty.
        // The column is filled from the contact at insert; rows of a contact that did not exist then (a background try
        // after an erasure) keep it null and sit under the null prefix, where queries by contact look too.
        """
        alter table messages add column contact_created_at text null;
        update messages set contact_created_at = (select c.created_at from contacts c where c.id = messages.contact_id);
        create index messages_by_contact on messages (contact_created_at, contact_id, id);
        drop index messages_contact;
        alter table executions add column contact_created_at text null;
        update executions set contact_created_at = (select c.created_at from contacts c where c.id = executions.contact_id) where contact_id is not null;
        create index executions_by_contact on executions (contact_created_at, contact_id, seq);
        drop index executions_contact;
        """,
        // 13: conversations learn their contact's creation time too (both providers; PostgreSQL stops here and keeps its
        // table keyed by (contact_id, flow_id), which hosts of the previous version sharing the database still upsert on).
        """
        alter table conversations add column contact_created_at text null;
        """,
        // 14: SQLite's conversations clustered by the contact's creation time first (docs/benchmarks.md, "Seventh pass"):
        // keyed by the contact's text id, a new contact's conversation went to a random page of the table, which the
        // checkpoints then copied and synced; keyed by when the contact was created, it is appended. A conversation
        // whose contact does not exist (none is written that way; rows from before 9 could be) sits under '', where
        // queries by contact look too. The key's columns cannot be null in a table without rowid, hence '' and not null.
        SqliteOnly + """
        create table conversations_by_time (
            contact_created_at text not null,
            contact_id text not null,
            flow_id text not null,
            id text not null,
            flow_version integer not null,
            status text not null,
            block_id text null,
            waiting integer not null,
            vars text not null,
            response text null,
            department text null,
            started_at text not null,
            updated_at text not null,
            payload_id bigint null,
            primary key (contact_created_at, contact_id, flow_id)) without rowid;
        insert into conversations_by_time (contact_created_at, contact_id, flow_id, id, flow_version, status, block_id, waiting, vars, response, department,
                started_at, updated_at, payload_id)
            select coalesce((select k.created_at from contacts k where k.id = conversations.contact_id), ''), contact_id, flow_id, id, flow_version, status,
                block_id, waiting, vars, response, department, started_at, updated_at, payload_id
            from conversations;
        drop table conversations;
        alter table conversations_by_time rename to conversations;
        """,
    ];

    /// <summary>Starts a migration that only SQLite runs (PostgreSQL records its version and runs nothing).</summary>
    private const string SqliteOnly = "-- sqlite only\n";

    /// <summary>
    /// PostgreSQL's DDL is SQLite's with a few spellings changed, so it is derived rather than written twice: the two
    /// lists cannot drift apart, and a migration is written once in the portable subset.
    /// </summary>
    private static readonly string[] PostgresMigrations = SqliteMigrations.Select(ToPostgres).ToArray();

    private static string ToPostgres(string ddl) => ddl.StartsWith(SqliteOnly, StringComparison.Ordinal) ? "select 1;" : ddl
        .Replace("integer primary key autoincrement", "bigserial primary key", StringComparison.Ordinal)
        .Replace(" without rowid", "", StringComparison.Ordinal)
        .Replace(" real not null", " double precision not null", StringComparison.Ordinal);

    public static int LatestVersion => SqliteMigrations.Length;

    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var migrations = database is PostgresDatabase ? PostgresMigrations : SqliteMigrations;
        string engine;
        if (database is SqliteDatabase)
        {
            var sqlite = await SqliteDatabase.GetSqliteVersionAsync(connection, ct);
            if (sqlite < SqliteDatabase.MinimumSqliteVersion)
            {
                throw new InvalidOperationException(
                    $"The native SQLite library is {sqlite}; BotFlow needs {SqliteDatabase.MinimumSqliteVersion} or newer (CVE-2025-6965). Check the SQLitePCLRaw pin.");
            }

            // WAL is a property of the file, so setting it once here serves every later connection.
            await BotFlowDatabase.ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", null, ct);
            engine = "SQLite " + sqlite + (((Microsoft.Data.Sqlite.SqliteConnection)connection).Handle is { } handle && SqliteThreading.IsMultiThread(handle) ? ", multi-thread" : ", serialized");
        }
        else
        {
            engine = (string)(await BotFlowDatabase.ScalarAsync(connection, "show server_version", null, ct))!;
            engine = "PostgreSQL " + engine;
        }

        await using (var tx = await connection.BeginTransactionAsync(ct))
        {
            if (database is PostgresDatabase)
            {
                // Several hosts may start at once: one migrates, the others wait and then find nothing to do.
                await BotFlowDatabase.ExecuteAsync(connection, "select pg_advisory_xact_lock(7011001)", tx, ct);
            }

            await BotFlowDatabase.ExecuteAsync(connection, "create table if not exists schema_version (version integer not null)", tx, ct);
            var current = Convert.ToInt32(await BotFlowDatabase.ScalarAsync(connection, "select coalesce(max(version), 0) from schema_version", tx, ct),
                System.Globalization.CultureInfo.InvariantCulture);
            if (current > LatestVersion)
            {
                throw new InvalidOperationException(
                    $"The database at {database.Describe()} has schema version {current}, newer than this BotFlow knows ({LatestVersion}). Run a newer BotFlow or restore a backup.");
            }

            for (var version = current + 1; version <= LatestVersion; version++)
            {
                await BotFlowDatabase.ExecuteAsync(connection, migrations[version - 1], tx, ct);
                await BotFlowDatabase.ExecuteAsync(connection, "insert into schema_version (version) values (@v)", tx, ct, ("@v", version));
                logger.LogInformation("Applied storage migration {Version}", version);
            }

            await tx.CommitAsync(ct);
        }

        logger.LogInformation("Storage ready: {Database} ({Engine}, schema {Schema}; {NativeHeap})", database.Describe(), engine, LatestVersion, NativeHeap.Describe());
    }
}
