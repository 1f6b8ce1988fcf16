// The floor of performance.md's boleto workload on this machine: what ASP.NET Core, HttpClient and SQLite cost when a
// request does only the work the spec asks for and nothing a product needs besides. Per request: read the contact and
// its conversation, call the partner with the nested body and the bearer token, store the contact, the conversation,
// both messages and the execution record (group commit: every request answers only after its own rows are committed,
// in the same tables and indexes as BotFlow's schema 14), answer the reply. No flow engine, templates, plugins, auth,
// rate limits, audit or masking. `python3 bench/run.py --floor` measures it in the same run as BotFlow, so what BotFlow
// adds on top of the floor can be read off (docs/benchmarks.md, "The floor").
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var dataFolder = builder.Configuration["DataFolder"] ?? Path.Combine(Path.GetTempPath(), "minimal-hop-" + Environment.ProcessId);
var partner = new Uri(builder.Configuration["Partner"] ?? "http://127.0.0.1:18080/boletos/segunda-via");
var app = builder.Build();

var store = Store.Open(Path.Combine(dataFolder, "botflow.db"));
using var http = new HttpClient(new SocketsHttpHandler
{
    UseProxy = false, UseCookies = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.All,
    PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
});

app.MapGet("/health", () => "ok");
app.MapPost("/api/flows/{flow}/conversations/{contact}/messages", async (string flow, string contact, HttpContext context) =>
{
    using var input = await JsonDocument.ParseAsync(context.Request.Body);
    var text = input.RootElement.GetProperty("text").GetString() ?? "";
    var fields = input.RootElement.GetProperty("fields");
    var name = fields.GetProperty("name").GetString() ?? "";
    var cpf = fields.GetProperty("cpf").GetString() ?? "";
    var email = fields.GetProperty("email").GetString() ?? "";

    var known = await store.ReadAsync(contact, flow);

    var body = Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("customer");
        w.WriteString("name", name);
        w.WriteString("cpf", cpf);
        w.WriteEndObject();
        w.WriteStartArray("contacts");
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteStartArray("emails");
        w.WriteStartObject();
        w.WriteString("email", email);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteString("source", "bot");
        w.WriteEndObject();
    });
    var watch = Stopwatch.StartNew();
    using var request = new HttpRequestMessage(HttpMethod.Post, partner) { Content = new ByteArrayContent(body) };
    request.Content.Headers.ContentType = new("application/json");
    request.Headers.Authorization = new("Bearer", "test-token");
    using var response = await http.SendAsync(request);
    var answer = await response.Content.ReadAsByteArrayAsync();
    var elapsed = watch.Elapsed.TotalMilliseconds;
    using var parsed = JsonDocument.Parse(answer);
    var reply = "Seu boleto: " + parsed.RootElement.GetProperty("data").GetProperty("url").GetString();

    // What BotFlow stores too: the request and the response as JSON text for the execution record, and the response as
    // the conversation's last response.
    var requestJson = Encoding.UTF8.GetString(Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("method", "POST");
        w.WriteString("url", partner.OriginalString);
        w.WriteStartObject("headers");
        w.WriteString("Authorization", "Bearer test-token");
        w.WriteString("Content-Type", "application/json");
        w.WriteEndObject();
        w.WritePropertyName("body");
        w.WriteRawValue(body);
        w.WriteEndObject();
    }));
    var responseJson = Encoding.UTF8.GetString(Json(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("status", (int)response.StatusCode);
        w.WriteStartObject("headers");
        foreach (var (header, values) in response.Headers.Concat(response.Content.Headers))
        {
            w.WriteString(header.ToLowerInvariant(), string.Join(", ", values));
        }

        w.WriteEndObject();
        w.WritePropertyName("body");
        w.WriteRawValue(answer);
        w.WriteNumber("elapsedMs", elapsed);
        w.WriteEndObject();
    }));

    var now = DateTimeOffset.UtcNow.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
    var conversationId = known.ConversationId ?? Guid.NewGuid().ToString("N");
    var fieldsJson = Encoding.UTF8.GetString(Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("cpf", cpf);
        w.WriteString("email", email);
        w.WriteEndObject();
    }));
    await store.CommitAsync(new Step(contact, flow, fieldsJson, conversationId, text, reply, requestJson, responseJson, elapsed, now));

    context.Response.ContentType = "application/json";
    await context.Response.Body.WriteAsync(Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("replies");
        w.WriteStartObject();
        w.WriteString("text", reply);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteString("status", "ended");
        w.WriteString("conversationId", conversationId);
        w.WriteEndObject();
    }));
});

app.Lifetime.ApplicationStopping.Register(store.Complete);
app.Run();

static byte[] Json(Action<Utf8JsonWriter> write)
{
    var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
    // Unescaped UTF-8, as BotFlow writes it, so both store and send the same bytes.
    using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
    {
        write(writer);
    }

    return buffer.WrittenSpan.ToArray();
}

internal sealed record Step(string Contact, string Flow, string FieldsJson, string ConversationId, string Inbound, string Reply,
    string RequestJson, string ResponseJson, double ElapsedMs, string Now);

internal sealed record Known(string? Fields, string? ConversationId);

/// <summary>
/// One write connection; reads wait for it like BotFlow's (its page cache is the one a commit leaves valid); steps that
/// arrive while a commit runs are committed together in one transaction.
/// </summary>
internal sealed class Store
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<(Step Step, TaskCompletionSource Done)> _queue = Channel.CreateUnbounded<(Step, TaskCompletionSource)>(new() { SingleReader = true });
    private readonly SqliteCommand _readContact, _readConversation, _contact, _conversation, _messages, _execution;

    private Store(SqliteConnection connection)
    {
        _connection = connection;
        _readContact = Prepare("select fields from contacts where id = @c", "@c");
        _readConversation = Prepare(
            "select id from conversations where contact_created_at in ((select created_at from contacts where id = @c), '') and contact_id = @c and flow_id = @f",
            "@c", "@f");
        _contact = Prepare("insert into contacts (id, fields, created_at, updated_at) values (@c, @fields, @t, @t) on conflict(id) do update set fields = excluded.fields, updated_at = excluded.updated_at",
            "@c", "@fields", "@t");
        _conversation = Prepare("""
            insert into conversations (contact_created_at, flow_id, contact_id, id, flow_version, status, block_id, waiting, vars, response, department, started_at, updated_at)
            values (coalesce((select created_at from contacts where id = @c), ''), @f, @c, @id, 1, 'ended', 'fim', 0, '{}', @r, null, @t, @t)
            on conflict(contact_created_at, contact_id, flow_id) do update set id = excluded.id, status = excluded.status, response = excluded.response, updated_at = excluded.updated_at
            """, "@c", "@f", "@id", "@r", "@t");
        _messages = Prepare("""
            insert into messages (contact_id, contact_created_at, flow_id, conversation_id, block_id, direction, text, status, channel, created_at)
            values (@c, (select created_at from contacts where id = @c), @f, @id, 'buscar-boleto', 'in', @in, 'received', 'test', @t),
                   (@c, (select created_at from contacts where id = @c), @f, @id, 'buscar-boleto', 'out', @out, 'delivered', 'test', @t)
            """, "@c", "@f", "@id", "@in", "@out", "@t");
        _execution = Prepare("""
            insert into executions (id, attempt, kind, flow_id, flow_version, block_id, contact_id, contact_created_at, started_at, duration_ms, outcome, request, response)
            values (@e, 1, 'conversation', @f, 1, 'buscar-boleto', @c, (select created_at from contacts where id = @c), @t, @ms, 'success', @req, @r)
            """, "@e", "@f", "@c", "@t", "@ms", "@req", "@r");
        _ = Task.Run(LoopAsync);
    }

    public static Store Open(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var setup = connection.CreateCommand();
        setup.CommandText = """
            pragma journal_mode = wal;
            pragma synchronous = normal;
            pragma wal_autocheckpoint = 8000;
            create table if not exists contacts (id text primary key, fields text not null, created_at text not null, updated_at text not null);
            create table if not exists conversations (
                contact_created_at text not null, contact_id text not null, flow_id text not null, id text not null, flow_version integer not null,
                status text not null, block_id text null, waiting integer not null, vars text not null, response text null, department text null,
                started_at text not null, updated_at text not null, payload_id bigint null,
                primary key (contact_created_at, contact_id, flow_id)) without rowid;
            create table if not exists messages (
                id integer primary key autoincrement, contact_id text not null, flow_id text null, conversation_id text null, block_id text null,
                direction text not null, text text not null, status text not null, channel text not null, created_at text not null,
                error text null, attempts integer not null default 0, updated_at text null, options text null, contact_created_at text null);
            create index if not exists messages_by_contact on messages (contact_created_at, contact_id, id);
            create index if not exists messages_outbox on messages (status, id) where status = 'pending';
            create table if not exists executions (
                id text not null, attempt integer not null, kind text not null, flow_id text null, flow_version integer null, block_id text null,
                contact_id text null, job_id text null, started_at text not null, duration_ms real not null, outcome text not null, error text null,
                warnings text null, request text null, response text null, idempotency_key text null, seq integer primary key autoincrement,
                contact_created_at text null);
            create unique index if not exists executions_try on executions (id, attempt);
            create index if not exists executions_flow on executions (flow_id, seq);
            create index if not exists executions_by_contact on executions (contact_created_at, contact_id, seq);
            """;
        setup.ExecuteNonQuery();
        return new Store(connection);
    }

    public async Task<Known> ReadAsync(string contact, string flow)
    {
        await _gate.WaitAsync();
        try
        {
            _readContact.Parameters["@c"].Value = contact;
            var fields = _readContact.ExecuteScalar() as string;
            _readConversation.Parameters["@c"].Value = contact;
            _readConversation.Parameters["@f"].Value = flow;
            return new Known(fields, _readConversation.ExecuteScalar() as string);
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task CommitAsync(Step step)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((step, done)))
        {
            done.SetException(new InvalidOperationException("stopping"));
        }

        return done.Task;
    }

    public void Complete() => _queue.Writer.TryComplete();

    private async Task LoopAsync()
    {
        var batch = new List<(Step Step, TaskCompletionSource Done)>(256);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < 256 && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            await _gate.WaitAsync();
            try
            {
                using var tx = _connection.BeginTransaction();
                foreach (var (step, _) in batch)
                {
                    Write(step, tx);
                }

                tx.Commit();
                foreach (var (_, done) in batch)
                {
                    done.SetResult();
                }
            }
            catch (Exception ex)
            {
                foreach (var (_, done) in batch)
                {
                    done.TrySetException(ex);
                }
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    private void Write(Step s, SqliteTransaction tx)
    {
        Run(_contact, tx, ("@c", s.Contact), ("@fields", s.FieldsJson), ("@t", s.Now));
        Run(_conversation, tx, ("@c", s.Contact), ("@f", s.Flow), ("@id", s.ConversationId), ("@r", s.ResponseJson), ("@t", s.Now));
        Run(_messages, tx, ("@c", s.Contact), ("@f", s.Flow), ("@id", s.ConversationId), ("@in", s.Inbound), ("@out", s.Reply), ("@t", s.Now));
        Run(_execution, tx, ("@e", Guid.CreateVersion7().ToString("N")), ("@f", s.Flow), ("@c", s.Contact), ("@t", s.Now), ("@ms", s.ElapsedMs),
            ("@req", s.RequestJson), ("@r", s.ResponseJson));
    }

    private static void Run(SqliteCommand command, SqliteTransaction tx, params (string Name, object Value)[] values)
    {
        command.Transaction = tx;
        foreach (var (name, value) in values)
        {
            command.Parameters[name].Value = value;
        }

        command.ExecuteNonQuery();
    }

    private SqliteCommand Prepare(string sql, params string[] names)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter(name, null));
        }

        return command;
    }
}
