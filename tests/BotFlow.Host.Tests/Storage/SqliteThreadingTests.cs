using BotFlow.Host.Tests.Infrastructure;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Storage;

/// <summary>
/// SQLite's threading mode is chosen once per process, before SQLite initialises, so it is checked on a fresh host
/// process (this test process has opened SQLite in many ways before).
/// </summary>
public sealed class SqliteThreadingTests
{
    [Fact]
    public async Task A_host_runs_its_sqlite_connections_in_multi_thread_mode_and_serves_concurrent_steps()
    {
        var folder = NewFolder();
        await using var host = await HostProcess.StartAsync(new Dictionary<string, string>
        {
            ["BotFlow:Storage:DataFolder"] = folder,
            ["Logging:LogLevel:BotFlow.Host.Storage"] = "Information",
            ["BotFlow:RateLimits:ConversationPerContactPerMinute"] = "1000",
        });
        (await host.Client.PutAsync("/api/fields/cpf", Json("""{"label":"CPF","type":"cpf"}"""))).EnsureSuccessStatusCode();
        (await host.Client.PutAsync("/api/flows/eco", Json("""
            { "id": "eco", "start": "ola", "blocks": [
              { "id": "ola", "type": "message", "config": { "text": "Olá, {{ contact.name }}!" }, "next": "cpf" },
              { "id": "cpf", "type": "question", "config": { "text": "Qual é o seu CPF?", "field": "cpf" } } ] }
            """))).EnsureSuccessStatusCode();

        // 48 contacts at once: every request's reads and the group commit on their own connections, from many threads.
        var replies = await Task.WhenAll(Enumerable.Range(0, 48).Select(async i =>
        {
            var answer = await host.Client.PostAsync($"/api/flows/eco/conversations/5511900{i:D6}/messages", Json("""{"text":"oi","fields":{"name":"Ana"}}"""));
            answer.EnsureSuccessStatusCode();
            return JObject.Parse(await answer.Content.ReadAsStringAsync());
        }));

        Assert.Contains(", multi-thread, schema ", host.Output, StringComparison.Ordinal);
        Assert.All(replies, r => Assert.Equal(["Olá, Ana!", "Qual é o seu CPF?"], Replies(r)));
        foreach (var i in new[] { 0, 17, 47 })
        {
            var messages = JArray.Parse(await host.Client.GetStringAsync($"/api/contacts/5511900{i:D6}/messages"));
            Assert.Equal(["oi", "Olá, Ana!", "Qual é o seu CPF?"], messages.Select(m => (string)m["text"]!));
        }
    }

    [Fact]
    public async Task An_operator_can_keep_sqlite_serialized()
    {
        await using var host = await HostProcess.StartAsync(new Dictionary<string, string>
        {
            ["BotFlow:Storage:DataFolder"] = NewFolder(),
            ["BotFlow:Storage:SqliteMultiThread"] = "false",
            ["Logging:LogLevel:BotFlow.Host.Storage"] = "Information",
        });

        (await host.Client.PutAsync("/api/fields/cpf", Json("""{"label":"CPF","type":"cpf"}"""))).EnsureSuccessStatusCode();

        Assert.Contains(", serialized, schema ", host.Output, StringComparison.Ordinal);
    }
}
