using System.Net;
using BotFlow.Host.Tests.Infrastructure;
using BotFlow.Host.Tests.Jobs;
using Newtonsoft.Json.Linq;
using Npgsql;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.ScaleOut;

/// <summary>scale-out.md: several hosts on one PostgreSQL, proven with real host processes, a SIGKILL and an outage.</summary>
[Collection(JobsCollection.Name)]
public sealed class TwoHostTests
{
    private static Dictionary<string, string> Settings(string connectionString, bool jobs) => new()
    {
        ["BotFlow:Storage:Provider"] = Providers.PostgreSql,
        ["ConnectionStrings:BotFlow"] = connectionString,
        ["BotFlow:Storage:DataFolder"] = NewFolder(),
        ["BotFlow:Jobs:Enabled"] = jobs ? "true" : "false",
        ["BotFlow:Jobs:QueuePollInterval"] = "00:00:00.200",
        ["BotFlow:Jobs:SchedulePollingInterval"] = "00:00:00.200",
        ["BotFlow:Jobs:InvisibilityTimeout"] = "00:00:05",
        ["BotFlow:Integration:InlineBackoff"] = "00:00:00.050",
        ["BotFlow:RateLimits:ConversationPerContactPerMinute"] = "1000",
    };

    [PostgresFact]
    public async Task Two_hosts_on_one_database_handle_interleaved_messages_of_the_same_contacts_in_order()
    {
        var database = Providers.CreatePostgresDatabase();
        await using var a = await HostProcess.StartAsync(Settings(database, jobs: false));
        await using var b = await HostProcess.StartAsync(Settings(database, jobs: false));
        (await a.Client.PutAsync("/api/flows/eco", Json("""
            { "id": "eco", "start": "q", "blocks": [
              { "id": "q", "type": "question", "config": { "text": "?", "field": "name" }, "next": "m" },
              { "id": "m", "type": "message", "config": { "text": "={{ contact.name }}" }, "next": "q" } ] }
            """))).EnsureSuccessStatusCode();
        var contacts = Enumerable.Range(0, 50).Select(i => $"c{i:00}").ToList();
        foreach (var contact in contacts)
        {
            (await b.Client.PostAsync($"/api/flows/eco/conversations/{contact}/messages", Json("""{"text":"start"}"""))).EnsureSuccessStatusCode();
        }

        var sends = contacts.SelectMany(c => Enumerable.Range(0, 4).Select(i => (Contact: c, Index: i))).ToList();
        await Parallel.ForEachAsync(sends, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (send, ct) =>
        {
            var host = (send.Index + send.Contact.GetHashCode()) % 2 == 0 ? a : b;
            (await host.Client.PostAsync($"/api/flows/eco/conversations/{send.Contact}/messages", Json($$"""{"text":"{{send.Contact}}-{{send.Index}}"}"""), ct)).EnsureSuccessStatusCode();
        });

        foreach (var contact in contacts)
        {
            var log = (JArray)(await ReadAsync(await a.Client.GetAsync($"/api/contacts/{contact}/messages"), expectSuccess: true))["items"]!;
            var texts = log.Select(m => $"{m["direction"]}:{m["text"]}").Skip(2).ToList();
            Assert.Equal(12, texts.Count);
            for (var i = 0; i < texts.Count; i += 3)
            {
                Assert.StartsWith($"in:{contact}-", texts[i]);
                Assert.Equal("out:=" + texts[i][3..], texts[i + 1]);
                Assert.Equal("out:?", texts[i + 2]);
            }
        }
    }

    [PostgresFact]
    public async Task A_host_killed_during_a_background_try_hands_it_to_another_with_the_same_key_and_the_message_arrives_once()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var database = Providers.CreatePostgresDatabase();
        var a = await HostProcess.StartAsync(Settings(database, jobs: true));
        try
        {
            foreach (var field in JArray.Parse(Samples.Fields))
            {
                (await a.Client.PutAsync($"/api/fields/{field["key"]}", Json(new JObject { ["label"] = field["label"], ["type"] = field["type"] }.ToString()))).EnsureSuccessStatusCode();
            }

            (await a.Client.PutAsync("/api/secrets/boleto_token", Json($$"""{"value":"{{FakeUpstream.BoletoToken}}"}"""))).EnsureSuccessStatusCode();
            (await a.Client.PutAsync("/api/flows/segunda-via-boleto", Json(JobsApps.BoletoFlow(upstream, inline: 1, background: 2, backoff: "1")))).EnsureSuccessStatusCode();
            upstream.Next(1, 503, "{}");
            upstream.Next(1, 200, """{"data":{"url":"too-late"}}""", delay: TimeSpan.FromSeconds(30));
            await a.Client.PostAsync("/api/flows/segunda-via-boleto/conversations/5511900009999/messages", Json("""{"text":"oi","fields":{"name":"Ana","email":"a@b.co"}}"""));
            await a.Client.PostAsync("/api/flows/segunda-via-boleto/conversations/5511900009999/messages", Json("""{"text":"52998224725"}"""));
            await JobsApps.WaitUntilAsync(() => Task.FromResult(upstream.Requests.Count >= 2), "host A's background try to reach the partner");
        }
        finally
        {
            a.Kill();
        }

        await using var b = await HostProcess.StartAsync(Settings(database, jobs: true));
        await JobsApps.WaitUntilAsync(async () =>
        {
            var log = (JArray)(await ReadAsync(await b.Client.GetAsync("/api/contacts/5511900009999/messages")))["items"]!;
            return log.Any(m => (string?)m["text"] == "Seu boleto: https://pay.example/b/52998224725");
        }, "host B to finish the try", seconds: 60);

        Assert.Equal(3, upstream.Requests.Count);
        Assert.Single(upstream.Requests.Select(r => r.Headers["idempotency-key"]).Distinct());
        var messages = (JArray)(await ReadAsync(await b.Client.GetAsync("/api/contacts/5511900009999/messages"), expectSuccess: true))["items"]!;
        Assert.Single(messages, m => ((string?)m["text"])!.StartsWith("Seu boleto", StringComparison.Ordinal));
    }

    [PostgresFact]
    public async Task While_the_database_is_unreachable_requests_get_503_and_the_host_recovers_by_itself()
    {
        const string provider = Providers.PostgreSql;
        var database = Providers.CreatePostgresDatabase();
        using var app = Providers.App(provider, connectionString: database);
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);
        await app.SendAsync("atendimento", "c1", "oi", new { name = "Ana" });
        var name = new NpgsqlConnectionStringBuilder(database).Database!;

        await Admin($"alter database {name} with allow_connections false; select pg_terminate_backend(pid) from pg_stat_activity where datname = '{name}'");
        var during = await app.CreateClient().PostAsync("/api/flows/atendimento/conversations/c1/messages", Json("""{"text":"52998224725"}"""));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        Assert.Equal("application/problem+json", during.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(during.Headers.RetryAfter);

        await Admin($"alter database {name} with allow_connections true");
        var after = await app.SendAsync("atendimento", "c1", "52998224725");
        Assert.Equal(["CPF 52998224725 recebido.\n1 - Financeiro\n2 - Encerrar"], Replies(after));
        var log = (JArray)(await ReadAsync(await app.CreateClient().GetAsync("/api/contacts/c1/messages"), expectSuccess: true))["items"]!;
        Assert.Equal(["oi", "Olá, Ana!", "Qual é o seu CPF?", "52998224725", "CPF 52998224725 recebido.\n1 - Financeiro\n2 - Encerrar"], log.Select(m => (string)m["text"]!));
    }

    [PostgresFact]
    public async Task Sigterm_lets_the_running_try_finish_and_the_message_arrives_before_the_host_exits()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var database = Providers.CreatePostgresDatabase();
        await using var a = await HostProcess.StartAsync(Settings(database, jobs: true));
        foreach (var field in JArray.Parse(Samples.Fields))
        {
            (await a.Client.PutAsync($"/api/fields/{field["key"]}", Json(new JObject { ["label"] = field["label"], ["type"] = field["type"] }.ToString()))).EnsureSuccessStatusCode();
        }

        (await a.Client.PutAsync("/api/secrets/boleto_token", Json($$"""{"value":"{{FakeUpstream.BoletoToken}}"}"""))).EnsureSuccessStatusCode();
        (await a.Client.PutAsync("/api/flows/segunda-via-boleto", Json(JobsApps.BoletoFlow(upstream, inline: 1, background: 1, backoff: "1")))).EnsureSuccessStatusCode();
        upstream.Next(1, 503, "{}");
        // The background try's partner takes 4 s: the stop arrives while it runs.
        upstream.Next(1, 200, """{"data":{"url":"https://pay.example/b/52998224725"}}""", delay: TimeSpan.FromSeconds(4));
        await a.Client.PostAsync("/api/flows/segunda-via-boleto/conversations/5511900008888/messages", Json("""{"text":"oi","fields":{"name":"Ana","email":"a@b.co"}}"""));
        await a.Client.PostAsync("/api/flows/segunda-via-boleto/conversations/5511900008888/messages", Json("""{"text":"52998224725"}"""));
        await JobsApps.WaitUntilAsync(() => Task.FromResult(upstream.Requests.Count >= 2), "the background try to reach the partner");

        Assert.True(a.Terminate(TimeSpan.FromSeconds(40)), "the host did not stop within 40 s of SIGTERM");

        Assert.Equal(0, a.ExitCode);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => a.Client.GetAsync("/health"));
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from messages where contact_id = '5511900008888' and text like 'Seu boleto%'", connection);
        Assert.Equal(1L, (long)(await command.ExecuteScalarAsync())!);
        Assert.Equal(2, upstream.Requests.Count);
    }

    private static async Task Admin(string sql)
    {
        await using var connection = new NpgsqlConnection(Providers.PostgresAdmin);
        await connection.OpenAsync();
        foreach (var statement in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await using var command = new NpgsqlCommand(statement, connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
