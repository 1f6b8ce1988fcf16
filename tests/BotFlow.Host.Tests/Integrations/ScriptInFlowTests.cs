using BotFlow.Host.Tests.Infrastructure;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Integrations;

public sealed class ScriptInFlowTests
{
    private static string Flow(string baseUrl, string script) => new JObject
    {
        ["id"] = "script",
        ["start"] = "chamar",
        ["blocks"] = new JArray(
            new JObject
            {
                ["id"] = "chamar", ["type"] = "integration",
                ["config"] = new JObject { ["method"] = "GET", ["url"] = $"{baseUrl}/redirect/0", ["script"] = script, ["message"] = "ok" },
                ["exits"] = new JObject { ["success"] = "fim", ["failure"] = "falhou" },
            },
            new JObject { ["id"] = "fim", ["type"] = "end", ["config"] = new JObject { ["text"] = "{{ vars.v }}" } },
            new JObject { ["id"] = "falhou", ["type"] = "end", ["config"] = new JObject { ["text"] = "falhou" } }),
    }.ToString();

    [Theory]
    [InlineData("while (true) {}", "limit")]
    [InlineData("var a = []; while (true) { a.push(new Array(100000).join('x')); }", "limit")]
    [InlineData("function f() { return f(); } return f();", "recursion")]
    [InlineData("var t = importNamespace('System.IO'); return 'success';", "importNamespace")]
    public async Task A_runaway_or_escaping_script_takes_the_failure_exit_with_a_clear_error(string script, string expected)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await app.PutFlowAsync(Flow(upstream.BaseUrl, script));

        var answer = await app.SendAsync("script", "c1", "oi");

        Assert.Equal(["falhou"], Replies(answer));
        var execution = (await ReadAsync(await app.CreateClient().GetAsync("/api/executions?contactId=c1"), expectSuccess: true))["items"]![0]!;
        Assert.Contains(expected, (string?)execution["error"], StringComparison.OrdinalIgnoreCase);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await app.CreateClient().GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task A_script_sets_variables_that_later_blocks_read()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await app.PutFlowAsync(Flow(upstream.BaseUrl, "setVar('v', 'chegou=' + response.body.arrived); return 'success';"));

        var answer = await app.SendAsync("script", "c1", "oi");

        Assert.Equal(["ok", "chegou=true"], Replies(answer));
    }
}
