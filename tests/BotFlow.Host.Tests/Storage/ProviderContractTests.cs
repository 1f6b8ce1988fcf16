using Microsoft.Extensions.DependencyInjection;
using System.Net;
using BotFlow.Host.Tests.Infrastructure;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Storage;

/// <summary>One behaviour, two providers: every test here runs on SQLite and on PostgreSQL through the real host.</summary>
public sealed class ProviderContractTests
{
    public static TheoryData<string> Providers => Infrastructure.Providers.All;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_conversation_stores_fields_state_and_every_message(string provider)
    {
        using var app = Infrastructure.Providers.App(provider);
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);

        Assert.Equal(["Olá, Ana!", "Qual é o seu CPF?"], Replies(await app.SendAsync("atendimento", "c1", "oi", new { name = "Ana" })));
        Assert.Equal(["Esse CPF não parece válido. Pode digitar de novo?"], Replies(await app.SendAsync("atendimento", "c1", "123")));
        await app.SendAsync("atendimento", "c1", "529.982.247-25");
        var transferred = await app.SendAsync("atendimento", "c1", "1");

        Assert.Equal("transferred", (string?)transferred["status"]);
        var contact = await ReadAsync(await app.CreateClient().GetAsync("/api/contacts/c1"), expectSuccess: true);
        Assert.Equal("52998224725", (string?)contact["fields"]!["cpf"]);
        var log = (JArray)(await ReadAsync(await app.CreateClient().GetAsync("/api/contacts/c1/messages"), expectSuccess: true))["items"]!;
        Assert.Equal(9, log.Count);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_step_with_more_messages_than_one_insert_takes_returns_their_ids_in_order(string provider)
    {
        using var app = Infrastructure.Providers.App(provider);
        var store = app.Services.GetRequiredService<BotFlow.Host.Conversations.IConversationStore>();
        var contacts = app.Services.GetRequiredService<BotFlow.Host.Contacts.IContactStore>();
        var now = DateTimeOffset.UtcNow;
        // Six messages: two multi-row inserts (four, then two), with a block id and options only on some rows.
        var messages = Enumerable.Range(0, 6).Select(i => new BotFlow.Host.Conversations.NewMessage(
            i % 2 == 0 ? "in" : "out", $"m{i}", i == 3 ? null : $"b{i}", "delivered", "test", now.AddMilliseconds(i)) { OptionsJson = i == 1 ? "[\"sim\"]" : null }).ToList();

        var ids = await store.CommitAsync(new BotFlow.Host.Conversations.StepCommit("c6", new Dictionary<string, string>(), true, null, messages), CancellationToken.None);
        var stored = await contacts.GetMessagesAsync("c6", 0, 10, CancellationToken.None);

        Assert.Equal(6, ids.Count);
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(messages.Select(m => m.Text), ids.Select(id => stored.Single(s => s.Id == id).Text));
        Assert.Equal(messages.Select(m => m.BlockId), ids.Select(id => stored.Single(s => s.Id == id).BlockId));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Large_conversation_state_is_stored_beside_the_row_read_back_whole_and_never_left_behind(string provider)
    {
        using var app = Infrastructure.Providers.App(provider);
        var store = app.Services.GetRequiredService<BotFlow.Host.Conversations.IConversationStore>();
        var contacts = app.Services.GetRequiredService<BotFlow.Host.Contacts.IContactStore>();
        var database = app.Services.GetRequiredService<BotFlow.Host.Storage.BotFlowDatabase>();
        var now = DateTimeOffset.UtcNow;
        var largeResponse = "{\"status\":200,\"text\":\"ação \\\"citada\\\"\",\"body\":{\"pdf\":\"" + new string('x', 300_000) + "\"}}";
        var largeVars = "{\"boleto\":\"" + new string('y', 2_000) + "\"}";
        async Task<BotFlow.Host.Conversations.ConversationRecord> CommitAsync(BotFlow.Host.Conversations.ConversationRecord conversation)
        {
            await store.CommitAsync(new BotFlow.Host.Conversations.StepCommit("big", new Dictionary<string, string>(), true, conversation, []), CancellationToken.None);
            return (await store.LoadStepAsync("f", "big", withConversation: true, null, CancellationToken.None)).Conversation!;
        }

        Task<long> StoredAsync(string sql) => CountAsync(database, sql);

        // SQLite keeps large state beside the row; PostgreSQL keeps it in the row (it stores large values out of line itself).
        var beside = provider == Infrastructure.Providers.Sqlite ? 1 : 0;
        var started = new BotFlow.Host.Conversations.ConversationRecord("c1", "f", "big", 1, "waiting", "b1", true, largeVars, largeResponse, null, now, now);
        var large = await CommitAsync(started);
        Assert.Equal((largeVars, largeResponse), (large.VarsJson, large.ResponseJson));
        Assert.Equal(beside, await StoredAsync("select count(*) from conversation_payloads"));
        Assert.Equal(1 - beside, await StoredAsync("select count(*) from conversations where response is not null"));

        // Large again (rewritten in place), then small (kept in the row, the payload gone), then large once more.
        var again = await CommitAsync(large with { ResponseJson = largeResponse.Replace("ação", "nova", StringComparison.Ordinal) });
        Assert.Equal(large.PayloadId, again.PayloadId);
        Assert.StartsWith("{\"status\":200,\"text\":\"nova", again.ResponseJson, StringComparison.Ordinal);
        var small = await CommitAsync(again with { VarsJson = """{"a":1}""", ResponseJson = null });
        Assert.Equal(("""{"a":1}""", (string?)null, (long?)null), (small.VarsJson, small.ResponseJson, small.PayloadId));
        Assert.Equal(0, await StoredAsync("select count(*) from conversation_payloads"));
        var largeOnceMore = await CommitAsync(small with { VarsJson = largeVars });
        Assert.Equal(largeVars, largeOnceMore.VarsJson);
        Assert.Equal(beside, await StoredAsync("select count(*) from conversation_payloads"));

        await contacts.EraseAsync("big", CancellationToken.None);
        Assert.Equal(0, await StoredAsync("select count(*) from conversation_payloads"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_conversation_started_again_after_it_ended_takes_over_its_large_state(string provider)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = Infrastructure.Providers.App(provider);
        var database = app.Services.GetRequiredService<BotFlow.Host.Storage.BotFlowDatabase>();
        // The partner echoes a 3,000-character body, so the stored response is large; the run then ends.
        await app.PutFlowAsync($$$"""
            { "id": "grande", "start": "eco", "blocks": [
              { "id": "eco", "type": "integration", "config": { "method": "POST", "url": "{{{upstream.BaseUrl}}}/echo",
                "body": [ { "key": "nota", "value": "{{{new string('z', 3_000)}}}" } ] }, "exits": { "success": "fim", "failure": "fim" } },
              { "id": "fim", "type": "end", "config": {} } ] }
            """);
        Task<long> PayloadsAsync() => CountAsync(database, "select count(*) from conversation_payloads");

        var first = await app.SendAsync("grande", "c1", "oi");
        var afterFirst = await PayloadsAsync();
        var second = await app.SendAsync("grande", "c1", "oi de novo");

        Assert.Equal("ended", (string?)first["status"]);
        Assert.Equal("ended", (string?)second["status"]);
        var beside = provider == Infrastructure.Providers.Sqlite ? 1 : 0;
        Assert.Equal(beside, afterFirst);
        Assert.Equal(beside, await PayloadsAsync());
        // The contact's export carries the large state itself, not where it is stored.
        var export = await ReadAsync(await app.CreateClient().GetAsync("/api/contacts/c1/export"), expectSuccess: true);
        var conversation = (JObject)export["conversations"]![0]!;
        Assert.Contains(new string('z', 3_000), (string?)conversation["responseJson"], StringComparison.Ordinal);
        Assert.Null(conversation["payloadId"]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Flow_versions_are_kept_and_a_running_conversation_keeps_its_version(string provider)
    {
        using var app = Infrastructure.Providers.App(provider);
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);
        await app.SendAsync("atendimento", "old", "oi", new { name = "Ana" });
        await app.PutFlowAsync(TestFlows.Atendimento.Replace("Obrigado, {{ contact.name }}!", "v2"));

        await app.SendAsync("atendimento", "old", "52998224725");
        Assert.Equal(["Obrigado, Ana!"], Replies(await app.SendAsync("atendimento", "old", "2")));
        var list = await ReadAsync(await app.CreateClient().GetAsync("/api/flows"), expectSuccess: true);
        Assert.Equal(2, (int)list["items"]![0]!["version"]!);
        Assert.Equal(HttpStatusCode.Conflict, (await app.CreateClient().DeleteAsync("/api/fields/cpf")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_new_host_on_the_same_database_continues_the_conversation(string provider)
    {
        var folder = NewFolder();
        var connectionString = provider == Infrastructure.Providers.PostgreSql ? Infrastructure.Providers.CreatePostgresDatabase() : null;
        using (var first = Infrastructure.Providers.App(provider, folder, connectionString))
        {
            await first.PutFieldAsync("cpf", "CPF", "cpf");
            await first.PutFlowAsync(TestFlows.Atendimento);
            await first.SendAsync("atendimento", "c1", "oi", new { name = "Caio" });
            (await first.CreateClient().PutAsync("/api/secrets/token", Json("""{"value":"abc-123-xyz"}"""))).EnsureSuccessStatusCode();
        }

        using var second = Infrastructure.Providers.App(provider, folder, connectionString);
        Assert.Equal(["CPF 52998224725 recebido.\n1 - Financeiro\n2 - Encerrar"], Replies(await second.SendAsync("atendimento", "c1", "52998224725")));
        // Secrets are encrypted with keys the second host can read (the data folder with SQLite, the database with PostgreSQL).
        var reader = second.Services.GetService(typeof(BotFlow.Sdk.Secrets.ISecretReader)) as BotFlow.Sdk.Secrets.ISecretReader;
        Assert.Equal("abc-123-xyz", (await reader!.ReadAllAsync(CancellationToken.None))["token"]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Concurrent_messages_for_one_contact_are_serialised(string provider)
    {
        using var app = Infrastructure.Providers.App(provider).Set("BotFlow:RateLimits:ConversationPerContactPerMinute", "1000");

        await ConcurrencyChecks.AssertSerialisedAsync(app, 30);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Executions_audit_and_erasure_work_alike(string provider)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = Infrastructure.Providers.App(provider);
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        await app.SendAsync("segunda-via-boleto", "5511900000001", "oi", new { name = "Ana", email = "a@b.co" });
        var answer = await app.SendAsync("segunda-via-boleto", "5511900000001", "52998224725");

        Assert.Equal("Seu boleto: https://pay.example/b/52998224725", Replies(answer).First());
        var executions = (JArray)(await ReadAsync(await app.CreateClient().GetAsync("/api/executions?contactId=5511900000001&outcome=success"), expectSuccess: true))["items"]!;
        Assert.Single(executions);
        var audit = (JArray)(await ReadAsync(await app.CreateClient().GetAsync("/api/audit?resource=flows"), expectSuccess: true))["items"]!;
        Assert.NotEmpty(audit);
        Assert.Equal(HttpStatusCode.NoContent, (await app.CreateClient().DeleteAsync("/api/contacts/5511900000001")).StatusCode);
        Assert.Empty((JArray)(await ReadAsync(await app.CreateClient().GetAsync("/api/executions?contactId=5511900000001"), expectSuccess: true))["items"]!);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_steps_snapshot_finds_the_contact_and_its_conversation_whichever_of_them_exists(string provider)
    {
        using var app = Infrastructure.Providers.App(provider);
        var store = app.Services.GetRequiredService<BotFlow.Host.Conversations.IConversationStore>();
        var now = DateTimeOffset.UtcNow;
        BotFlow.Host.Conversations.ConversationRecord Conversation(string id, string contact) => new(id, "f", contact, 1, "waiting", "b1", true, "{}", null, null, now, now);
        Task<BotFlow.Host.Conversations.StepSnapshot> LoadAsync(string contact) => store.LoadStepAsync("f", contact, withConversation: true, null, CancellationToken.None);
        var fields = new Dictionary<string, string> { ["name"] = "Ana" };

        // Neither; the contact alone; a conversation stored without its contact (a background try after an erasure).
        await store.CommitAsync(new BotFlow.Host.Conversations.StepCommit("alone", fields, true, null, []), CancellationToken.None);
        await store.CommitAsync(new BotFlow.Host.Conversations.StepCommit("orphan", fields, false, Conversation("c-orphan", "orphan"), [], UpsertContact: false), CancellationToken.None);
        var nobody = await LoadAsync("nobody");
        var alone = await LoadAsync("alone");
        var orphan = await LoadAsync("orphan");

        Assert.Null(nobody.Contact);
        Assert.Null(nobody.Conversation);
        Assert.Equal("Ana", alone.Contact!.Fields["name"]);
        Assert.Null(alone.Conversation);
        Assert.Null(orphan.Contact);
        Assert.Equal("c-orphan", orphan.Conversation!.Id);

        // The contact comes back: the orphaned conversation is found with it until the contact's own is stored.
        await store.CommitAsync(new BotFlow.Host.Conversations.StepCommit("orphan", fields, true, null, []), CancellationToken.None);
        var returned = await LoadAsync("orphan");
        Assert.Equal("orphan", returned.Contact!.Id);
        Assert.Equal("c-orphan", returned.Conversation!.Id);

        await store.CommitAsync(new BotFlow.Host.Conversations.StepCommit("orphan", fields, true, Conversation("c-own", "orphan"), []), CancellationToken.None);
        var own = await LoadAsync("orphan");
        Assert.Equal("c-own", own.Conversation!.Id);
        Assert.Equal("Ana", own.Contact!.Fields["name"]);
        Assert.Null((await store.LoadStepAsync("f", "orphan", withConversation: false, null, CancellationToken.None)).Conversation);

        // A step's rows are keyed by its contact's creation time whether the contact's upsert returned it (fields changed,
        // a new contact) or not (an existing contact kept as it was).
        var database = app.Services.GetRequiredService<BotFlow.Host.Storage.BotFlowDatabase>();
        BotFlow.Host.Conversations.NewMessage Message(string text) => new("out", text, null, "delivered", "test", now);
        BotFlow.Sdk.Executions.ExecutionRecord Execution(string id, string contact) => new()
        {
            Id = id, Kind = "conversation", ContactId = contact, StartedAt = now, Outcome = "success", Warnings = [],
        };
        await store.CommitAsync(new BotFlow.Host.Conversations.StepCommit("alone", fields, false, Conversation("c-alone", "alone"), [Message("kept")], [Execution("e-kept", "alone")]), CancellationToken.None);
        await store.CommitAsync(new BotFlow.Host.Conversations.StepCommit("fresh", fields, true, Conversation("c-fresh", "fresh"), [Message("new"), Message("new too")], [Execution("e-new", "fresh")]), CancellationToken.None);
        foreach (var table in new[] { "messages", "executions", "conversations" })
        {
            Assert.Equal(0, await CountAsync(database, $"select count(*) from {table} t join contacts k on k.id = t.contact_id where k.id in ('alone', 'fresh') and coalesce(t.contact_created_at, '') <> k.created_at"));
        }

        Assert.Equal(3, await CountAsync(database, "select count(*) from messages where contact_id in ('alone', 'fresh')"));
        Assert.Equal(2, await CountAsync(database, "select count(*) from executions where contact_id in ('alone', 'fresh') and contact_created_at is not null"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Rows_written_before_the_contact_existed_are_listed_with_its_own_and_erased_with_it(string provider)
    {
        using var app = Infrastructure.Providers.App(provider);
        var store = app.Services.GetRequiredService<BotFlow.Host.Conversations.IConversationStore>();
        var contacts = app.Services.GetRequiredService<BotFlow.Host.Contacts.IContactStore>();
        var executions = app.Services.GetRequiredService<BotFlow.Host.Executions.IExecutionStore>();
        var database = app.Services.GetRequiredService<BotFlow.Host.Storage.BotFlowDatabase>();
        var now = DateTimeOffset.UtcNow;
        BotFlow.Host.Conversations.NewMessage Message(string text, int ms) => new("out", text, null, "delivered", "test", now.AddMilliseconds(ms));
        BotFlow.Sdk.Executions.ExecutionRecord Execution(string id) => new()
        {
            Id = id, Kind = "background", ContactId = "late", StartedAt = now, Outcome = "success", Warnings = [],
        };

        // First without the contact (what a background try writes after an erasure), then with it, then without again.
        await store.CommitAsync(new BotFlow.Host.Conversations.StepCommit("late", new Dictionary<string, string>(), false, null, [Message("before", 0)], UpsertContact: false), CancellationToken.None);
        await executions.AddAsync([Execution("e-before")], CancellationToken.None);
        await store.CommitAsync(new BotFlow.Host.Conversations.StepCommit("late", new Dictionary<string, string>(), true, null, [Message("with", 1), Message("with too", 2)]), CancellationToken.None);
        await executions.AddAsync([Execution("e-with")], CancellationToken.None);
        await store.CommitAsync(new BotFlow.Host.Conversations.StepCommit("other", new Dictionary<string, string>(), true, null, [Message("someone else", 3)]), CancellationToken.None);

        Assert.Equal(["before", "with", "with too"], (await contacts.GetMessagesAsync("late", 0, 10, CancellationToken.None)).Select(m => m.Text));
        var afterFirst = (await contacts.GetMessagesAsync("late", 0, 10, CancellationToken.None))[0].Id;
        Assert.Equal(["with", "with too"], (await contacts.GetMessagesAsync("late", afterFirst, 10, CancellationToken.None)).Select(m => m.Text));
        Assert.Equal(["with"], (await contacts.GetMessagesAsync("late", 0, 2, CancellationToken.None)).Skip(1).Select(m => m.Text));
        Assert.Equal(["e-before", "e-with"], (await executions.ListAsync(new BotFlow.Host.Executions.ExecutionFilter(null, "late", null, null, 10), CancellationToken.None))
            .Select(e => e.Id).Order());
        Assert.Equal(1, await CountAsync(database, "select count(*) from messages where contact_id = 'late' and contact_created_at is null"));

        // The channel a background reply goes to: the last inbound message's, under either prefix.
        BotFlow.Host.Conversations.NewMessage Inbound(string channel, int ms) => new("in", "oi", null, "received", channel, now.AddMilliseconds(ms));
        await store.CommitAsync(new BotFlow.Host.Conversations.StepCommit("quiet", new Dictionary<string, string>(), false, null, [Inbound("telegram", 4)], UpsertContact: false), CancellationToken.None);
        Assert.Equal("telegram", await store.LastInboundChannelAsync("quiet", CancellationToken.None));
        await store.CommitAsync(new BotFlow.Host.Conversations.StepCommit("quiet", new Dictionary<string, string>(), true, null, [Inbound("whatsapp", 5)]), CancellationToken.None);
        Assert.Equal("whatsapp", await store.LastInboundChannelAsync("quiet", CancellationToken.None));

        var (existed, _) = await contacts.EraseAsync("late", CancellationToken.None);

        Assert.True(existed);
        Assert.Equal(0, await CountAsync(database, "select count(*) from messages where contact_id = 'late'"));
        Assert.Equal(0, await CountAsync(database, "select count(*) from executions where contact_id = 'late'"));
        Assert.Equal(["someone else"], (await contacts.GetMessagesAsync("other", 0, 10, CancellationToken.None)).Select(m => m.Text));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_contacts_conversations_are_read_by_flow_listed_by_status_exported_and_erased_without_touching_anothers(string provider)
    {
        using var app = Infrastructure.Providers.App(provider);
        var store = app.Services.GetRequiredService<BotFlow.Host.Conversations.IConversationStore>();
        var contacts = app.Services.GetRequiredService<BotFlow.Host.Contacts.IContactStore>();
        var database = app.Services.GetRequiredService<BotFlow.Host.Storage.BotFlowDatabase>();
        var now = DateTimeOffset.UtcNow;
        Task CommitAsync(string contact, string flow, string status, int step) => store.CommitAsync(new BotFlow.Host.Conversations.StepCommit(contact,
            new Dictionary<string, string>(), true, new($"{contact}-{flow}", flow, contact, 1, status, "b", false, $$"""{"step":{{step}}}""", null, null, now, now.AddSeconds(step)), []),
            CancellationToken.None);

        await CommitAsync("ana", "boleto", "waiting", 1);
        await CommitAsync("ana", "humano", "transferred", 2);
        await CommitAsync("bia", "boleto", "transferred", 3);
        await CommitAsync("ana", "boleto", "transferred", 4);

        Assert.Equal("""{"step":4}""", (await store.GetAsync("boleto", "ana", CancellationToken.None))!.VarsJson);
        Assert.Equal("""{"step":3}""", (await store.GetAsync("boleto", "bia", CancellationToken.None))!.VarsJson);
        Assert.Null(await store.GetAsync("humano", "bia", CancellationToken.None));
        Assert.Equal(["boleto", "humano"], (await store.ListByStatusAsync("ana", "transferred", CancellationToken.None)).Select(c => c.FlowId));
        Assert.Equal(["boleto", "humano"], (await contacts.ExportAsync("ana", CancellationToken.None)).Conversations.Select(c => c.FlowId));
        // Each row carries its contact's creation time (the key that appends a new contact's conversation on SQLite).
        Assert.Equal(3, await CountAsync(database, "select count(*) from conversations v join contacts k on k.id = v.contact_id where v.contact_created_at = k.created_at"));

        await contacts.EraseAsync("ana", CancellationToken.None);

        Assert.Empty((await contacts.ExportAsync("ana", CancellationToken.None)).Conversations);
        Assert.Null(await store.GetAsync("humano", "ana", CancellationToken.None));
        Assert.Equal(["bia"], (await store.ListByStatusAsync("bia", "transferred", CancellationToken.None)).Select(c => c.ContactId));
        Assert.Equal(1, await CountAsync(database, "select count(*) from conversations"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_flow_using_a_block_type_another_live_host_lacks_is_refused_naming_that_host(string provider)
    {
        using var app = Infrastructure.Providers.App(provider);
        await app.PutFlowAsync("""{ "id": "so-core", "start": "a", "blocks": [ { "id": "a", "type": "end", "config": {} } ] }""");
        var database = (BotFlow.Host.Storage.BotFlowDatabase)app.Services.GetService(typeof(BotFlow.Host.Storage.BotFlowDatabase))!;
        // Another host, alive a moment ago, that has the core blocks but not the integration plugin.
        await database.WriteAsync((c, tx) => BotFlow.Host.Storage.BotFlowDatabase.Command(c,
            "insert into hosts (name, block_types, seen_at) values ('host-b', '[\"end\",\"message\"]', @t)", tx,
            ("@t", DateTimeOffset.UtcNow.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture))).ExecuteNonQueryAsync(), CancellationToken.None);

        var refused = await app.CreateClient().PutAsync("/api/flows/boleto", Json("""
            { "id": "boleto", "start": "a", "blocks": [ { "id": "a", "type": "integration", "config": { "method": "GET", "url": "https://partner.example/x" }, "exits": { "success": "b" } },
              { "id": "b", "type": "end", "config": {} } ] }
            """));
        var stillFine = await app.CreateClient().PutAsync("/api/flows/so-core", Json("""{ "id": "so-core", "start": "a", "blocks": [ { "id": "a", "type": "end", "config": {} } ] }"""));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var error = (await ReadAsync(refused))["errors"]![0]!;
        Assert.Equal("a", (string?)error["blockId"]);
        Assert.Contains("not loaded on host 'host-b'", (string?)error["message"]);
        Assert.Equal(HttpStatusCode.OK, stillFine.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_database_with_a_newer_schema_is_refused_at_start(string provider)
    {
        var folder = NewFolder();
        var connectionString = provider == Infrastructure.Providers.PostgreSql ? Infrastructure.Providers.CreatePostgresDatabase() : null;
        using (var app = Infrastructure.Providers.App(provider, folder, connectionString))
        {
            var database = (BotFlow.Host.Storage.BotFlowDatabase)app.Services.GetService(typeof(BotFlow.Host.Storage.BotFlowDatabase))!;
            await database.WriteAsync((c, tx) => BotFlow.Host.Storage.BotFlowDatabase.Command(c, "insert into schema_version (version) values (999)", tx).ExecuteNonQueryAsync(), CancellationToken.None);
        }

        using var newer = Infrastructure.Providers.App(provider, folder, connectionString);
        var error = newer.StartupError();
        Assert.Contains("schema version 999", error.ToString(), StringComparison.Ordinal);
    }

    private static Task<long> CountAsync(BotFlow.Host.Storage.BotFlowDatabase database, string sql) =>
        database.ReadAsync(async c => Convert.ToInt64(await BotFlow.Host.Storage.BotFlowDatabase.Command(c, sql).ExecuteScalarAsync()), CancellationToken.None);
}
