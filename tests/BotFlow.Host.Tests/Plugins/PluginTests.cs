using System.Net;
using BotFlow.Host.Tests.Infrastructure;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Plugins;

public sealed class PluginTests
{
    private const string GreetingFlow = """
    { "id": "saudacao", "start": "ola", "blocks": [
      { "id": "ola", "type": "samples.greeting",
        "config": { "morningText": "Bom dia, {{ contact.name }}!", "afternoonText": "Boa tarde, {{ contact.name }}!", "eveningText": "Boa noite, {{ contact.name }}!", "timeZone": "America/Sao_Paulo" },
        "exits": { "morning": "lib", "afternoon": "lib", "evening": "lib" } },
      { "id": "lib", "type": "end", "config": { "text": "{{ vars.greetingPeriod }} with Newtonsoft.Json {{ vars.greetingJsonLibrary }}" } } ] }
    """;

    [Fact]
    public async Task Sample_third_party_plugin_loads_and_runs_with_its_own_newtonsoft_version()
    {
        using var app = new BotFlowApp();
        app.AddPluginFolder("BotFlow.Samples.Greeting");
        await app.PutFlowAsync(GreetingFlow);

        var answer = await app.SendAsync("saudacao", "c1", "oi", new { name = "Ana" });

        var replies = Replies(answer).ToList();
        Assert.Matches("^(Bom dia|Boa tarde|Boa noite), Ana!$", replies[0]);
        // The plugin runs its private Newtonsoft.Json 12 while the host runs 13 in the same process.
        Assert.Matches(@"^(morning|afternoon|evening) with Newtonsoft\.Json 12\.", replies[1]);
        Assert.StartsWith("13.", typeof(JObject).Assembly.GetName().Version!.ToString(), StringComparison.Ordinal);

        var blockTypes = await ReadAsync(await app.CreateClient().GetAsync("/api/block-types"), expectSuccess: true);
        var greeting = blockTypes["items"]!.Single(t => (string?)t["type"] == "samples.greeting");
        Assert.Equal("BotFlow.Samples.Greeting", (string?)greeting["plugin"]);
        Assert.Equal("1.2.0", (string?)greeting["version"]);
        Assert.Equal(["morning", "afternoon", "evening"], greeting["exits"]!.Select(e => (string)e!));
        Assert.Equal("string", (string?)greeting["configSchema"]!["properties"]!["morningText"]!["type"]);
        Assert.Contains("morningText", greeting["configSchema"]!["required"]!.Select(r => (string)r!));
    }

    [Fact]
    public async Task Broken_plugins_are_reported_as_failed_while_the_host_serves_requests()
    {
        using var app = new BotFlowApp();
        var folder = app.AddPluginFolder("BotFlow.TestPlugins.Broken", "BotFlow.Samples.Greeting");
        Directory.CreateDirectory(Path.Combine(folder, "Garbage"));
        await File.WriteAllBytesAsync(Path.Combine(folder, "Garbage", "Garbage.dll"), "this is not an assembly"u8.ToArray());
        Directory.CreateDirectory(Path.Combine(folder, "Empty"));

        var plugins = (JArray)(await ReadAsync(await app.CreateClient().GetAsync("/api/plugins"), expectSuccess: true))["items"]!;

        var broken = plugins.Single(p => (string?)p["name"] == "BotFlow.TestPlugins.Broken");
        Assert.Equal("failed", (string?)broken["status"]);
        Assert.Contains("the partner SDK is not configured", (string?)broken["error"]);
        var garbage = plugins.Single(p => (string?)p["name"] == "Garbage");
        Assert.Equal("failed", (string?)garbage["status"]);
        Assert.Contains("BadImageFormat", (string?)garbage["error"]);
        Assert.Equal("failed", (string?)plugins.Single(p => (string?)p["name"] == "Empty")["status"]);
        Assert.Equal("loaded", (string?)plugins.Single(p => (string?)p["name"] == "BotFlow.Samples.Greeting")["status"]);
        Assert.Equal("loaded", (string?)plugins.Single(p => (string?)p["name"] == "BotFlow.Plugins.Core")["status"]);

        var health = await app.CreateClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("degraded", (string?)(await ReadAsync(health))["status"]);
        await app.PutFlowAsync(GreetingFlow);
        Assert.NotEmpty(Replies(await app.SendAsync("saudacao", "c1", "oi")));
    }

    [Fact]
    public async Task Two_plugins_claiming_one_type_name_leave_the_second_failed()
    {
        using var app = new BotFlowApp();
        var first = app.AddPluginFolder("BotFlow.Samples.Greeting");
        var second = Path.Combine(app.DataFolder, "copy");
        Directory.CreateDirectory(Path.Combine(second, "BotFlow.Samples.Greeting"));
        foreach (var file in Directory.GetFiles(Path.Combine(first, "BotFlow.Samples.Greeting")))
        {
            File.Copy(file, Path.Combine(second, "BotFlow.Samples.Greeting", Path.GetFileName(file)));
        }

        app.Set("BotFlow:Plugins:Folders:2", second);

        var plugins = (JArray)(await ReadAsync(await app.CreateClient().GetAsync("/api/plugins"), expectSuccess: true))["items"]!;

        var copies = plugins.Where(p => (string?)p["name"] == "BotFlow.Samples.Greeting").ToList();
        Assert.Equal(2, copies.Count);
        Assert.Equal("loaded", (string?)copies[0]["status"]);
        Assert.Equal("failed", (string?)copies[1]["status"]);
        Assert.Contains("already provided", (string?)copies[1]["error"]);
    }

    [Fact]
    public async Task A_block_that_throws_takes_its_error_exit_and_keeps_the_contacts_data()
    {
        using var app = new BotFlowApp();
        app.AddPluginFolder("BotFlow.TestPlugins.Faulty");
        await app.PutFlowAsync("""
        { "id": "falha", "start": "a", "blocks": [
          { "id": "a", "type": "message", "config": { "text": "antes" }, "next": "b" },
          { "id": "b", "type": "tests.faulty", "config": {}, "exits": { "error": "c" } },
          { "id": "c", "type": "end", "config": { "text": "Tivemos um problema, tente mais tarde." } } ] }
        """);

        var answer = await app.SendAsync("falha", "c1", "oi", new { name = "Ana" });

        Assert.Equal(["antes", "Tivemos um problema, tente mais tarde."], Replies(answer));
        Assert.Contains("partner SDK exploded", (string?)answer["errors"]![0]);
        var contact = await ReadAsync(await app.CreateClient().GetAsync("/api/contacts/c1"), expectSuccess: true);
        Assert.Equal("Ana", (string?)contact["fields"]!["name"]);
    }

    [Fact]
    public async Task A_block_that_hangs_is_cancelled_after_the_block_timeout()
    {
        using var app = new BotFlowApp();
        app.AddPluginFolder("BotFlow.TestPlugins.Faulty");
        app.Set("BotFlow:Plugins:BlockTimeout", "00:00:00.300");
        await app.PutFlowAsync("""
        { "id": "trava", "start": "b", "blocks": [ { "id": "b", "type": "tests.faulty", "config": { "hang": true } } ] }
        """);

        var answer = await app.SendAsync("trava", "c1", "oi");

        Assert.Equal("ended", (string?)answer["status"]);
        Assert.Contains("did not finish within 0.3 s", (string?)answer["errors"]![0]);
    }

    [Fact]
    public async Task Each_block_of_a_step_gets_the_whole_timeout_also_after_one_that_timed_out()
    {
        using var app = new BotFlowApp();
        app.AddPluginFolder("BotFlow.TestPlugins.Faulty");
        app.Set("BotFlow:Plugins:BlockTimeout", "00:00:00.300");
        await app.PutFlowAsync("""
        { "id": "trava2", "start": "a", "blocks": [
          { "id": "a", "type": "message", "config": { "text": "um momento" }, "next": "b" },
          { "id": "b", "type": "tests.faulty", "config": { "hang": true }, "exits": { "error": "c" } },
          { "id": "c", "type": "tests.faulty", "config": { "hang": true }, "exits": { "error": "d" } },
          { "id": "d", "type": "end", "config": { "text": "fim" } } ] }
        """);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var answer = await app.SendAsync("trava2", "c1", "oi");

        // The step's cancellation is reused between blocks; a cancelled one must not be handed to the next block.
        Assert.Equal(["um momento", "fim"], Replies(answer));
        Assert.Equal(2, answer["errors"]!.Count(e => ((string?)e)!.Contains("did not finish within 0.3 s", StringComparison.Ordinal)));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(550), $"both blocks waited their own 0.3 s: {clock.Elapsed}");
    }

    [Fact]
    public async Task Block_types_list_the_core_blocks_with_exits_and_schemas()
    {
        using var app = new BotFlowApp();

        var types = (JArray)(await ReadAsync(await app.CreateClient().GetAsync("/api/block-types"), expectSuccess: true))["items"]!;

        var names = types.Select(t => (string)t["type"]!).ToList();
        Assert.Subset(new HashSet<string>(names), new HashSet<string> { "message", "question", "menu", "condition", "transfer", "end" });
        var condition = types.Single(t => (string?)t["type"] == "condition");
        Assert.Equal(["true", "false"], condition["exits"]!.Select(e => (string)e!));
        var menu = types.Single(t => (string?)t["type"] == "menu");
        Assert.True((bool)menu["dynamicExits"]!);
        Assert.Equal("array", (string?)menu["configSchema"]!["properties"]!["options"]!["type"]);
    }
}
