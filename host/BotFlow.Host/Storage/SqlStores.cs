using System.Globalization;
using BotFlow.Host.Contacts;
using BotFlow.Host.Conversations;
using BotFlow.Host.Fields;
using BotFlow.Host.Flows;
using BotFlow.Sdk.Fields;
using System.Data.Common;
using Newtonsoft.Json;
using static BotFlow.Host.Storage.BotFlowDatabase;

namespace BotFlow.Host.Storage;

internal static class SqlValues
{
    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset Time(DbDataReader reader, int ordinal) => Time(reader.GetString(ordinal));

    public static DateTimeOffset Time(string stored) => DateTimeOffset.Parse(stored, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>A contact's fields: a flat object of strings, read without the serializer (every step reads one).</summary>
    public static Dictionary<string, string> FieldsFromJson(string json)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = new JsonTextReader(new StringReader(json)) { ArrayPool = JsonDefaults.CharPool, DateParseHandling = DateParseHandling.None, MaxDepth = JsonDefaults.MaxDepth };
        if (!reader.Read() || reader.TokenType != JsonToken.StartObject)
        {
            return fields;
        }

        while (reader.Read() && reader.TokenType == JsonToken.PropertyName)
        {
            var name = (string)reader.Value!;
            reader.Read();
            if (reader.TokenType is JsonToken.StartObject or JsonToken.StartArray)
            {
                throw new JsonSerializationException($"contact field '{name}' is not text");
            }

            if (reader.Value is { } value)
            {
                fields[name] = Convert.ToString(value, CultureInfo.InvariantCulture)!;
            }
        }

        return fields;
    }

    /// <summary>The contact's fields as a flat JSON object (<see cref="Templates.PlainJsonWriter"/>).</summary>
    public static string FieldsToJson(IReadOnlyDictionary<string, string> fields) => Templates.PlainJsonWriter.ToJson(fields);
}

public sealed class SqlFlowStore(BotFlowDatabase db, TimeProvider clock) : IFlowStore
{
    public Task<StoredFlow?> GetAsync(string id, CancellationToken ct) => db.ReadAsync(async c =>
    {
        await using var reader = await Command(c, "select id, name, version, document, updated_at from flows where id = @id", null, ("@id", id)).ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }, ct);

    public Task<int?> GetLatestVersionAsync(string id, CancellationToken ct) => db.ReadAsync(c => ReadLatestVersionAsync(c, id, ct), ct);

    internal static async Task<int?> ReadLatestVersionAsync(DbConnection c, string id, CancellationToken ct) =>
        await Command(c, "select version from flows where id = @id", null, ("@id", id)).ExecuteScalarAsync(ct) is { } v and not DBNull
            ? Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    public Task<StoredFlow?> GetVersionAsync(string id, int version, CancellationToken ct) => db.ReadAsync(async c =>
    {
        await using var reader = await Command(c,
            "select v.flow_id, coalesce(f.name, ''), v.version, v.document, v.created_at from flow_versions v left join flows f on f.id = v.flow_id where v.flow_id = @id and v.version = @v",
            null, ("@id", id), ("@v", version)).ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }, ct);

    public Task<IReadOnlyList<StoredFlow>> ListAsync(CancellationToken ct) => db.ReadAsync<IReadOnlyList<StoredFlow>>(async c =>
    {
        var list = new List<StoredFlow>();
        await using var reader = await Command(c, "select id, name, version, document, updated_at from flows order by id").ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(Read(reader));
        }

        return list;
    }, ct);

    public Task<StoredFlow> SaveAsync(string id, string name, string document, IReadOnlyCollection<string> fieldKeys, CancellationToken ct) =>
        db.WriteCatalogAsync(async (c, tx) =>
        {
            var now = clock.GetUtcNow();
            // Versions keep counting after a delete, so a re-created flow never reuses a version a conversation still runs.
            var version = Convert.ToInt32(await Command(c, "select coalesce(max(version), 0) + 1 from flow_versions where flow_id = @id", tx, ("@id", id)).ExecuteScalarAsync(ct));
            await Command(c, "insert into flow_versions (flow_id, version, document, created_at) values (@id, @v, @d, @t)", tx,
                ("@id", id), ("@v", version), ("@d", document), ("@t", SqlValues.Time(now))).ExecuteNonQueryAsync(ct);
            await Command(c,
                "insert into flows (id, name, version, document, updated_at) values (@id, @n, @v, @d, @t) on conflict(id) do update set name = excluded.name, version = excluded.version, document = excluded.document, updated_at = excluded.updated_at",
                tx, ("@id", id), ("@n", name), ("@v", version), ("@d", document), ("@t", SqlValues.Time(now))).ExecuteNonQueryAsync(ct);
            await Command(c, "delete from flow_fields where flow_id = @id", tx, ("@id", id)).ExecuteNonQueryAsync(ct);
            foreach (var key in fieldKeys)
            {
                await Command(c, "insert into flow_fields (flow_id, field_key) values (@id, @k) on conflict do nothing", tx, ("@id", id), ("@k", key)).ExecuteNonQueryAsync(ct);
            }

            return new StoredFlow(id, name, version, document, now);
        }, ct);

    public Task<bool> DeleteAsync(string id, CancellationToken ct) => db.WriteCatalogAsync(async (c, tx) =>
    {
        await Command(c, "delete from flow_fields where flow_id = @id", tx, ("@id", id)).ExecuteNonQueryAsync(ct);
        return await Command(c, "delete from flows where id = @id", tx, ("@id", id)).ExecuteNonQueryAsync(ct) > 0;
    }, ct);

    public Task<IReadOnlyList<string>> FlowsUsingFieldAsync(string fieldKey, CancellationToken ct) => db.ReadAsync<IReadOnlyList<string>>(async c =>
    {
        var list = new List<string>();
        await using var reader = await Command(c, "select flow_id from flow_fields where field_key = @k order by flow_id", null, ("@k", fieldKey)).ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(reader.GetString(0));
        }

        return list;
    }, ct);

    public Task<bool> AnyAsync(CancellationToken ct) => db.ReadAsync(async c =>
        Convert.ToBoolean(await Command(c, "select exists(select 1 from flow_versions)").ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture), ct);

    private static StoredFlow Read(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), Int(r, 2), r.GetString(3), SqlValues.Time(r, 4));
}

public sealed class SqlFieldStore(BotFlowDatabase db, TimeProvider clock) : IFieldStore
{
    public Task<IReadOnlyList<FieldDefinition>> ListAsync(CancellationToken ct) => db.ReadAsync(c => ReadAllAsync(c, ct), ct);

    internal static async Task<IReadOnlyList<FieldDefinition>> ReadAllAsync(DbConnection c, CancellationToken ct)
    {
        var list = new List<FieldDefinition>();
        await using var reader = await Command(c, "select key, label, type, options, built_in from fields order by built_in desc, key").ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var options = SqlValues.NullableString(reader, 3) is { } json ? JsonConvert.DeserializeObject<List<string>>(json, JsonDefaults.Settings) : null;
            list.Add(new FieldDefinition(reader.GetString(0), reader.GetString(1), reader.GetString(2), options, Bool(reader, 4)));
        }

        return list;
    }

    public Task UpsertAsync(FieldDefinition field, CancellationToken ct) => db.WriteCatalogAsync(async (c, tx) =>
    {
        await Command(c,
            "insert into fields (key, label, type, options, built_in, updated_at) values (@k, @l, @t, @o, @b, @u) on conflict(key) do update set label = excluded.label, type = excluded.type, options = excluded.options, updated_at = excluded.updated_at",
            tx, ("@k", field.Key), ("@l", field.Label), ("@t", field.Type),
            ("@o", field.Options is null ? null : JsonConvert.SerializeObject(field.Options)), ("@b", field.BuiltIn ? 1 : 0),
            ("@u", SqlValues.Time(clock.GetUtcNow()))).ExecuteNonQueryAsync(ct);
    }, ct);

    public Task<bool> DeleteAsync(string key, CancellationToken ct) => db.WriteCatalogAsync(async (c, tx) =>
        await Command(c, "delete from fields where key = @k and built_in = 0", tx, ("@k", key)).ExecuteNonQueryAsync(ct) > 0, ct);
}

/// <summary>
/// How a contact's messages and executions are found (schema 12): their index leads with the contact's creation time,
/// so a new contact's rows are appended to it instead of landing on a random page. A row gets the time of the contact
/// that exists when it is written; a row written for a contact that did not exist then (a background try after an
/// erasure) keeps null, so a query by contact reads both prefixes.
/// </summary>
internal static class ByContact
{
    /// <summary>The creation time of contact <c>@c</c>, or null: the value of <c>contact_created_at</c> for a row being written.</summary>
    public const string CreatedAt = "(select created_at from contacts where id = @c)";

    // The two places a contact's rows sit in the index: under its creation time, and under null.
    private static readonly string[] Prefixes = [$"contact_created_at = {CreatedAt}", "contact_created_at is null"];

    /// <summary>
    /// <c>select <paramref name="columns"/> from <paramref name="table"/></c> for contact <c>@c</c> where
    /// <paramref name="condition"/> holds: one branch per prefix, joined by <c>union all</c> (each branch one index range).
    /// </summary>
    public static string Select(string columns, string table, string condition) =>
        string.Join("\nunion all\n", Prefixes.Select(prefix => $"select {columns} from {table} where {prefix} and contact_id = @c and {condition}"));

    /// <summary>Deletes every row of contact <c>@c</c> from <paramref name="table"/>, under both prefixes (before the contact itself).</summary>
    public static async Task DeleteAsync(DbConnection c, DbTransaction tx, string table, string contactId, CancellationToken ct)
    {
        foreach (var prefix in Prefixes)
        {
            await Command(c, $"delete from {table} where {prefix} and contact_id = @c", tx, ("@c", contactId)).ExecuteNonQueryAsync(ct);
        }
    }
}

/// <summary>
/// The statements that find a contact's conversations: the one place the two providers' tables differ. SQLite's table
/// (schema 14) is clustered by <c>(contact_created_at, contact_id, flow_id)</c>, so a new contact's conversation is
/// appended instead of written to a random page, and a query names the contact's creation time, or <c>''</c> for a
/// conversation stored without its contact. PostgreSQL's stays keyed by <c>(contact_id, flow_id)</c>: hosts of the
/// previous version sharing the database upsert on that key, and its random inserts cost no checkpoint there.
/// </summary>
internal sealed class ConversationSql
{
    public static readonly ConversationSql Sqlite = new(
        $"contact_created_at in ({ByContact.CreatedAt}, '') and contact_id = @c",
        // Read on every step. Two rows for one flow only if one sits under '' (stored without its contact); the
        // contact's own comes first: UNION ALL runs its branches in order and the LIMIT stops at the first row. Written
        // as IN (…, '') with ORDER BY, SQLite built a temporary b-tree for the two values on every read
        // (docs/benchmarks.md, "Eighth pass"); each branch here is one seek of the key.
        OneOf($"c.contact_created_at = {ByContact.CreatedAt} and c.contact_id = @c") + "\nunion all\n"
            + OneOf("c.contact_created_at = '' and c.contact_id = @c") + "\nlimit 1",
        "contact_created_at, contact_id, flow_id")
    {
        ContactAndOne = $"""
            select {ConversationColumns}, k.id, k.fields, k.created_at, k.updated_at
            from contacts k join conversations c on c.contact_created_at = k.created_at and c.contact_id = k.id and c.flow_id = @f
            left join conversation_payloads p on p.id = c.payload_id
            where k.id = @c
            union all
            select {ConversationColumns}, k.id, k.fields, k.created_at, k.updated_at
            from conversations c left join conversation_payloads p on p.id = c.payload_id left join contacts k on k.id = @c
            where c.contact_created_at = '' and c.contact_id = @c and c.flow_id = @f
            union all
            select {string.Join(", ", Enumerable.Repeat("null", ContactColumn))}, k.id, k.fields, k.created_at, k.updated_at from contacts k where k.id = @c
            limit 1
            """,
    };

    public static readonly ConversationSql Postgres = new("contact_id = @c", OneOf("c.contact_id = @c"), "contact_id, flow_id");

    /// <summary>Where <see cref="ContactAndOne"/>'s contact columns (id, fields, created_at, updated_at) start.</summary>
    public const int ContactColumn = 13;

    /// <summary>
    /// SQLite: a step's contact <c>@c</c> and its conversation in flow <c>@f</c> in one statement (one row, or none when
    /// neither exists): the conversation under the contact's creation time, else one stored without its contact, else
    /// the contact alone. One statement is one read of the WAL's snapshot and its two file locks instead of two, and the
    /// contact is sought once for both (docs/benchmarks.md, "Thirteenth pass"). Null for PostgreSQL, which reads the two apart.
    /// </summary>
    public string? ContactAndOne { get; private init; }

    public static ConversationSql For(DbConnection c) => c is Microsoft.Data.Sqlite.SqliteConnection ? Sqlite : Postgres;

    // Large vars and responses are kept in conversation_payloads (schema 10), joined back here.
    private const string ConversationColumns = """
        c.id, c.flow_id, c.contact_id, c.flow_version, c.status, c.block_id, c.waiting,
            case when c.payload_id is null then c.vars else p.vars end, case when c.payload_id is null then c.response else p.response end,
            c.department, c.started_at, c.updated_at, c.payload_id
        """;

    private static string OneOf(string byContact) => $"""
        select {ConversationColumns}
        from conversations c left join conversation_payloads p on p.id = c.payload_id
        where {byContact} and c.flow_id = @f
        """;

    private ConversationSql(string byContact, string one, string key)
    {
        One = one;
        FlowIds = $"select distinct flow_id from conversations where {byContact} order by flow_id";
        FlowIdsWithStatus = $"select distinct flow_id from conversations where {byContact} and status = @s order by flow_id";
        Upsert = $"""
            insert into conversations (contact_created_at, flow_id, contact_id, id, flow_version, status, block_id, waiting, vars, response, department, started_at, updated_at, payload_id)
            values (coalesce({ByContact.CreatedAt}, ''), @f, @c, @id, @v, @s, @b, @w, @vars, @r, @d, @st, @u, cast(@p as bigint))
            on conflict({key}) do update set id = excluded.id, flow_version = excluded.flow_version, status = excluded.status,
              block_id = excluded.block_id, waiting = excluded.waiting, vars = excluded.vars, response = excluded.response,
              department = excluded.department, started_at = excluded.started_at, updated_at = excluded.updated_at, payload_id = excluded.payload_id
            """;
        DeletePayloads = $"delete from conversation_payloads where id in (select payload_id from conversations where {byContact})";
        Delete = $"delete from conversations where {byContact}";
    }

    /// <summary>Conversation of contact <c>@c</c> in flow <c>@f</c>, with its state joined back.</summary>
    public string One { get; }

    /// <summary>The flows contact <c>@c</c> has a conversation in.</summary>
    public string FlowIds { get; }

    /// <summary>The flows contact <c>@c</c> has a conversation with status <c>@s</c> in.</summary>
    public string FlowIdsWithStatus { get; }

    /// <summary>Inserts or rewrites a step's conversation (the contact's row already written in the same transaction).</summary>
    public string Upsert { get; }

    /// <summary>Removes the large state of contact <c>@c</c>'s conversations (before the conversations themselves).</summary>
    public string DeletePayloads { get; }

    /// <summary>Removes contact <c>@c</c>'s conversations (before the contact itself: the key reads its creation time).</summary>
    public string Delete { get; }
}

public sealed class SqlContactStore(BotFlowDatabase db) : IContactStore
{
    private const string MessageColumns = "id, contact_id, flow_id, conversation_id, block_id, direction, text, status, channel, created_at, error, attempts, updated_at";

    private static readonly string MessagesSql = ByContact.Select(MessageColumns, "messages", "id > @a") + "\norder by id limit @l";

    public Task<ContactRecord?> GetAsync(string id, CancellationToken ct) => db.ReadAsync(c => SqlConversationStore.ReadContactAsync(c, id, ct), ct);

    public Task<IReadOnlyList<MessageRecord>> GetMessagesAsync(string contactId, long afterId, int limit, CancellationToken ct) =>
        db.ReadAsync<IReadOnlyList<MessageRecord>>(async c =>
        {
            var list = new List<MessageRecord>();
            await using var reader = await Command(c, MessagesSql, null, ("@c", contactId), ("@a", afterId), ("@l", limit)).ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                list.Add(new MessageRecord(Long(reader, 0), reader.GetString(1), SqlValues.NullableString(reader, 2), SqlValues.NullableString(reader, 3),
                    SqlValues.NullableString(reader, 4), reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8), SqlValues.Time(reader, 9))
                {
                    Error = SqlValues.NullableString(reader, 10),
                    Attempts = Int(reader, 11),
                    UpdatedAt = reader.IsDBNull(12) ? null : SqlValues.Time(reader, 12),
                });
            }

            return list;
        }, ct);

    public Task<(bool Existed, IReadOnlyList<string> JobIds)> EraseAsync(string contactId, CancellationToken ct) => db.WriteAsync<(bool, IReadOnlyList<string>)>(async (c, tx) =>
    {
        var jobIds = new List<string>();
        await using (var reader = await Command(c, "select job_id from background_executions where contact_id = @c and job_id is not null", tx, ("@c", contactId)).ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                jobIds.Add(reader.GetString(0));
            }
        }

        var conversations = ConversationSql.For(c);
        await Command(c, conversations.DeletePayloads, tx, ("@c", contactId)).ExecuteNonQueryAsync(ct);
        await Command(c, conversations.Delete, tx, ("@c", contactId)).ExecuteNonQueryAsync(ct);
        foreach (var table in new[] { "messages", "executions" })
        {
            await ByContact.DeleteAsync(c, tx, table, contactId, ct);
        }

        foreach (var table in new[] { "background_executions", "channel_inbound", "events" })
        {
            await Command(c, $"delete from {table} where contact_id = @c", tx, ("@c", contactId)).ExecuteNonQueryAsync(ct);
        }

        var existed = await Command(c, "delete from contacts where id = @c", tx, ("@c", contactId)).ExecuteNonQueryAsync(ct) > 0;
        return (existed, jobIds);
    }, ct);

    public async Task<(IReadOnlyList<ConversationRecord> Conversations, IReadOnlyList<BotFlow.Sdk.Executions.ExecutionRecord> Executions)> ExportAsync(string contactId, CancellationToken ct)
    {
        var conversationIds = await db.ReadAsync(async c =>
        {
            var flows = new List<string>();
            await using var reader = await Command(c, ConversationSql.For(c).FlowIds, null, ("@c", contactId)).ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                flows.Add(reader.GetString(0));
            }

            return flows;
        }, ct);
        var conversations = new List<ConversationRecord>();
        foreach (var flowId in conversationIds)
        {
            if (await SqlConversationStore.ReadConversationAsync(db, flowId, contactId, ct) is { } conversation)
            {
                conversations.Add(conversation);
            }
        }

        var executions = await new SqlExecutionStore(db).ListAsync(new Executions.ExecutionFilter(null, contactId, null, null, 100_000), ct);
        return (conversations, executions);
    }

    public Task<int> PurgeOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct) => db.WriteAsync(async (c, tx) =>
    {
        var at = SqlValues.Time(cutoff);
        var executions = await Command(c, "delete from executions where started_at < @t", tx, ("@t", at)).ExecuteNonQueryAsync(ct);
        var messages = await Command(c, "delete from messages where created_at < @t", tx, ("@t", at)).ExecuteNonQueryAsync(ct);
        var inbound = await Command(c, "delete from channel_inbound where received_at < @t", tx, ("@t", at)).ExecuteNonQueryAsync(ct);
        return executions + messages + inbound;
    }, ct);
}

public sealed class SqlConversationStore(BotFlowDatabase db) : IConversationStore, IDisposable
{
    public Task<ConversationRecord?> GetAsync(string flowId, string contactId, CancellationToken ct) => ReadConversationAsync(db, flowId, contactId, ct);

    public Task<StepSnapshot> LoadStepAsync(string flowId, string contactId, bool withConversation, InboundKey? inbound, CancellationToken ct) =>
        db.ReadSnapshotAsync(async (c, generation) =>
        {
            var cache = db.StepCache;
            int? version;
            if (cache is not null && cache.TryGetFlowVersion(flowId, out var cachedVersion))
            {
                version = cachedVersion;
            }
            else
            {
                version = await SqlFlowStore.ReadLatestVersionAsync(c, flowId, ct);
                cache?.SetFlowVersion(generation, flowId, version);
            }

            if (cache is null || !cache.TryGetFields(out var fields))
            {
                fields = await SqlFieldStore.ReadAllAsync(c, ct);
                cache?.SetFields(generation, fields);
            }

            var (contact, conversation) = withConversation && ConversationSql.For(c).ContactAndOne is { } both
                ? await QueryFirstAsync(c, both, MapContactAndConversation, ct, ("@c", contactId), ("@f", flowId))
                : (await ReadContactAsync(c, contactId, ct), withConversation ? await ReadConversationAsync(c, flowId, contactId, ct) : null);
            return new StepSnapshot(version, fields, contact, conversation, inbound is not null && await ReadInboundSeenAsync(c, inbound, ct));
        }, ct);

    internal static Task<ConversationRecord?> ReadConversationAsync(BotFlowDatabase db, string flowId, string contactId, CancellationToken ct) =>
        db.ReadAsync(c => ReadConversationAsync(c, flowId, contactId, ct), ct);

    private static Task<ConversationRecord?> ReadConversationAsync(DbConnection c, string flowId, string contactId, CancellationToken ct) =>
        QueryFirstAsync(c, ConversationSql.For(c).One, MapConversation, ct, ("@f", flowId), ("@c", contactId));

    /// <summary>A row of <see cref="ConversationSql.ContactAndOne"/>: the conversation's columns (null without one), then the contact's.</summary>
    private static (ContactRecord?, ConversationRecord?) MapContactAndConversation(IStoredRow row) => (
        row.IsNull(ConversationSql.ContactColumn) ? null : ContactAt(row, ConversationSql.ContactColumn),
        row.IsNull(0) ? null : MapConversation(row));

    private static ConversationRecord MapConversation(IStoredRow row) =>
        new(row.GetString(0), row.GetString(1), row.GetString(2), row.GetInt32(3), row.GetString(4), row.NullableString(5), row.GetBoolean(6),
            row.GetString(7), row.NullableString(8), row.NullableString(9), row.GetTime(10), row.GetTime(11), row.IsNull(12) ? null : row.GetInt64(12));

    public Task<ContactRecord?> GetContactAsync(string contactId, CancellationToken ct) => db.ReadAsync(c => ReadContactAsync(c, contactId, ct), ct);

    public async Task<IReadOnlyList<ConversationRecord>> ListByStatusAsync(string contactId, string status, CancellationToken ct)
    {
        var flowIds = await db.ReadAsync(async c =>
        {
            var ids = new List<string>();
            await using var reader = await Command(c, ConversationSql.For(c).FlowIdsWithStatus, null, ("@c", contactId), ("@s", status))
                .ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        }, ct);
        var list = new List<ConversationRecord>();
        foreach (var flowId in flowIds)
        {
            if (await ReadConversationAsync(db, flowId, contactId, ct) is { Status: var s } conversation && s == status)
            {
                list.Add(conversation);
            }
        }

        return list;
    }

    public Task<bool> InboundSeenAsync(InboundKey key, CancellationToken ct) => db.ReadAsync(c => ReadInboundSeenAsync(c, key, ct), ct);

    private const string InboundSeenSql = "select 1 from channel_inbound where channel_id = @ch and provider_message_id = @p";

    private static Task<bool> ReadInboundSeenAsync(DbConnection c, InboundKey key, CancellationToken ct) =>
        QueryFirstAsync(c, InboundSeenSql, static _ => true, ct, ("@ch", key.ChannelId), ("@p", key.ProviderMessageId));

    private static readonly string LastInboundChannelSql =
        $"select channel from ({ByContact.Select("channel, id", "messages", "direction = 'in'")}) m order by id desc limit 1";

    public Task<string?> LastInboundChannelAsync(string contactId, CancellationToken ct) => db.ReadAsync(async c =>
        await Command(c, LastInboundChannelSql, null, ("@c", contactId)).ExecuteScalarAsync(ct) as string, ct);

    private const string ContactByIdSql = "select id, fields, created_at, updated_at from contacts where id = @id";

    internal static Task<ContactRecord?> ReadContactAsync(DbConnection c, string id, CancellationToken ct) =>
        QueryFirstAsync(c, ContactByIdSql, MapContact, ct, ("@id", id));

    private static ContactRecord MapContact(IStoredRow row) => ContactAt(row, 0);

    /// <summary>A contact from its four columns (id, fields, created_at, updated_at) starting at <paramref name="at"/>.</summary>
    private static ContactRecord ContactAt(IStoredRow row, int at) =>
        new(row.GetString(at), SqlValues.FieldsFromJson(row.GetString(at + 1)), row.GetTime(at + 2), row.GetTime(at + 3));

    private readonly GroupCommitter? _committer = db is SqliteDatabase ? new GroupCommitter(db) : null;

    public void Dispose() => _committer?.Complete();

    /// <summary>
    /// With SQLite, concurrent steps are committed together (group commit): one transaction for every step waiting at
    /// that moment, each in its own savepoint so one failing step fails alone. Each caller still returns only after its
    /// own rows are durable. PostgreSQL takes concurrent writers, so each step commits on its own there.
    /// </summary>
    public Task<IReadOnlyList<long>> CommitAsync(StepCommit commit, CancellationToken ct) => _committer is not null
        ? _committer.CommitAsync(commit, ct)
        : db.WriteAsync((c, tx) => WriteStepAsync(c, tx, commit, ct), ct);

    private const int MessagesPerInsert = 4;

    private static readonly object BoxedZero = 0;
    private static readonly object BoxedOne = 1;

    private static readonly string[][] MessageParameterNames = Enumerable.Range(1, MessagesPerInsert)
        .Select(n => new[] { "@c", "@f", "@conv" }.Concat(Enumerable.Range(0, n).SelectMany(i => new[] { $"@b{i}", $"@d{i}", $"@t{i}", $"@s{i}", $"@ch{i}", $"@at{i}", $"@o{i}" })).ToArray())
        .ToArray();

    // The contact's creation time is looked up once per statement (one sub-select over the rows, run once), not once per row.
    private static readonly string[] MessageInserts = Enumerable.Range(1, MessagesPerInsert)
        .Select(n => "insert into messages (contact_id, contact_created_at, flow_id, conversation_id, block_id, direction, text, status, channel, created_at, options) "
                     + $"select @c, {ByContact.CreatedAt}, @f, @conv, v.* from (values "
                     + string.Join(", ", Enumerable.Range(0, n).Select(i => $"(@b{i}, @d{i}, @t{i}, @s{i}, @ch{i}, @at{i}, @o{i})"))
                     + ") v returning id")
        .ToArray();

    /// <summary>
    /// Vars and response above this many UTF-8 bytes (together) are stored in <c>conversation_payloads</c>, keeping the
    /// conversation row under a quarter of a 4 KiB page, which is where SQLite starts spilling an index cell onto overflow
    /// pages (and then reads the whole cell to compare it during any seek that passes it).
    /// </summary>
    internal const int InlineStateBytes = 600;

    /// <summary>
    /// Where a step's vars and response go: in the row (returned as they are) or, when large on SQLite, in their own row
    /// of <c>conversation_payloads</c> (the row then keeps <c>{}</c> and null). The payload row the conversation had (on
    /// PostgreSQL only after a copy from SQLite) is rewritten in place or removed, so none is left behind.
    /// </summary>
    private static async Task<(string Vars, string? Response, long? PayloadId)> StoreLargeStateAsync(DbConnection c, DbTransaction tx, ConversationRecord conv, CancellationToken ct)
    {
        // Only SQLite needs it: PostgreSQL keeps large values out of line by itself (TOAST), and leaving its rows as they were
        // keeps hosts of the previous version that still share the database reading and writing them correctly.
        var large = c is Microsoft.Data.Sqlite.SqliteConnection
            && System.Text.Encoding.UTF8.GetByteCount(conv.VarsJson) + (conv.ResponseJson is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(conv.ResponseJson)) > InlineStateBytes;
        if (conv.PayloadId is { } existing)
        {
            if (large)
            {
                await ExecuteAsync(c, "update conversation_payloads set vars = @vars, response = @r where id = @p", tx, ct,
                    ("@vars", conv.VarsJson), ("@r", conv.ResponseJson), ("@p", existing));
                return ("{}", null, existing);
            }

            await ExecuteAsync(c, "delete from conversation_payloads where id = @p", tx, ct, ("@p", existing));
        }

        if (!large)
        {
            return (conv.VarsJson, conv.ResponseJson, null);
        }

        var ids = new List<long>(1);
        await InsertReturningIdsAsync(c, "insert into conversation_payloads (vars, response) values (@vars, @r) returning id", tx, ids, ct,
            ("@vars", conv.VarsJson), ("@r", conv.ResponseJson));
        return ("{}", null, ids[0]);
    }

    internal static async Task<IReadOnlyList<long>> WriteStepAsync(DbConnection c, DbTransaction tx, StepCommit commit, CancellationToken ct)
    {
        var now = SqlValues.Time(commit.Messages.Count > 0 ? commit.Messages[^1].CreatedAt : commit.Conversation?.UpdatedAt ?? DateTimeOffset.UtcNow);
        var fieldsJson = SqlValues.FieldsToJson(commit.ContactFields);
        if (commit.UpsertContact)
        {
            await ExecuteAsync(c,
                commit.ContactFieldsChanged
                    ? "insert into contacts (id, fields, created_at, updated_at) values (@id, @f, @t, @t) on conflict(id) do update set fields = excluded.fields, updated_at = excluded.updated_at"
                    : "insert into contacts (id, fields, created_at, updated_at) values (@id, @f, @t, @t) on conflict do nothing",
                tx, ct, ("@id", commit.ContactId), ("@f", fieldsJson), ("@t", now));
        }

        if (commit.Conversation is { } conv)
        {
            var (vars, response, payloadId) = await StoreLargeStateAsync(c, tx, conv, ct);
            await ExecuteAsync(c, ConversationSql.For(c).Upsert, tx, ct, ("@f", conv.FlowId), ("@c", conv.ContactId), ("@id", conv.Id), ("@v", conv.FlowVersion), ("@s", conv.Status), ("@b", conv.BlockId),
                ("@w", conv.Waiting ? BoxedOne : BoxedZero), ("@vars", vars), ("@r", response), ("@d", conv.Department),
                // The payload id is cast in the SQL: PostgreSQL reads an untyped null parameter as text.
                ("@st", SqlValues.Time(conv.StartedAt)), ("@u", SqlValues.Time(conv.UpdatedAt)), ("@p", payloadId));
        }

        var ids = new List<long>(commit.Messages.Count);
        for (var first = 0; first < commit.Messages.Count; first += MessagesPerInsert)
        {
            // A step's messages in one statement (up to four rows): each statement costs the driver a reader and a
            // binder per parameter, so a step with three messages ran two statements more than it needed.
            var count = Math.Min(MessagesPerInsert, commit.Messages.Count - first);
            var names = MessageParameterNames[count - 1];
            // Bound before the insert returns its task (BotFlowDatabase.ExecuteAsync says why), so a pooled array serves.
            var parameters = System.Buffers.ArrayPool<(string Name, object? Value)>.Shared.Rent(names.Length);
            parameters[0] = (names[0], commit.ContactId);
            parameters[1] = (names[1], commit.Conversation?.FlowId);
            parameters[2] = (names[2], commit.Conversation?.Id);
            for (var i = 0; i < count; i++)
            {
                var m = commit.Messages[first + i];
                var at = 3 + (i * 7);
                parameters[at] = (names[at], m.BlockId);
                parameters[at + 1] = (names[at + 1], m.Direction);
                parameters[at + 2] = (names[at + 2], m.Text);
                parameters[at + 3] = (names[at + 3], m.Status);
                parameters[at + 4] = (names[at + 4], m.Channel);
                parameters[at + 5] = (names[at + 5], SqlValues.Time(m.CreatedAt));
                parameters[at + 6] = (names[at + 6], m.OptionsJson);
            }

            var start = ids.Count;
            var inserted = InsertReturningIdsAsync(c, MessageInserts[count - 1], tx, ids, ct, parameters.AsSpan(0, names.Length));
            System.Buffers.ArrayPool<(string Name, object? Value)>.Shared.Return(parameters, clearArray: true);
            await inserted;

            // Ids grow in the order the rows were given; PostgreSQL's RETURNING row order is not promised, so they are put back in it.
            ids.Sort(start, ids.Count - start, null);
        }

        if (commit.Inbound is { } inbound)
        {
            // In the step's transaction: a redelivered message is skipped exactly when its first delivery was committed.
            await ExecuteAsync(c, "insert into channel_inbound (channel_id, provider_message_id, contact_id, received_at) values (@ch, @p, @c, @t) on conflict do nothing",
                tx, ct, ("@ch", inbound.ChannelId), ("@p", inbound.ProviderMessageId), ("@c", commit.ContactId), ("@t", now));
        }

        if (commit.Events is { Count: > 0 } events)
        {
            // In the step's transaction: an event exists exactly when the transfer, end or failure it reports was committed.
            await BotFlow.Host.Channels.HandoffEvents.InsertAsync(c, tx, commit.ContactId, events, ct);
        }

        if (commit.Executions is { Count: > 0 } executions)
        {
            await SqlExecutionStore.InsertAsync(c, tx, executions, ct);
        }

        if (commit.Background is { Count: > 0 } background)
        {
            await SqlBackgroundStore.UpsertAsync(c, tx, background, ct);
        }

        return ids;
    }

}

public sealed class InProcessContactLocks : IContactLocks
{
    private readonly Dictionary<string, (SemaphoreSlim Gate, int Users)> _gates = new(StringComparer.Ordinal);

    public async ValueTask<IAsyncDisposable> AcquireAsync(string contactId, CancellationToken ct)
    {
        SemaphoreSlim gate;
        lock (_gates)
        {
            var entry = _gates.TryGetValue(contactId, out var e) ? e : (new SemaphoreSlim(1, 1), 0);
            _gates[contactId] = (entry.Item1, entry.Item2 + 1);
            gate = entry.Item1;
        }

        try
        {
            await gate.WaitAsync(ct);
        }
        catch
        {
            Release(contactId, gate, entered: false);
            throw;
        }

        return new Lease(this, contactId, gate);
    }

    private void Release(string contactId, SemaphoreSlim gate, bool entered)
    {
        if (entered)
        {
            gate.Release();
        }

        lock (_gates)
        {
            var entry = _gates[contactId];
            if (entry.Users == 1)
            {
                _gates.Remove(contactId);
            }
            else
            {
                _gates[contactId] = (entry.Gate, entry.Users - 1);
            }
        }
    }

    private sealed class Lease(InProcessContactLocks owner, string contactId, SemaphoreSlim gate) : IAsyncDisposable
    {
        private int _disposed;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release(contactId, gate, entered: true);
            }

            return ValueTask.CompletedTask;
        }
    }
}
