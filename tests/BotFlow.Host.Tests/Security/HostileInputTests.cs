using System.Net;
using System.Text;
using BotFlow.Host.Integrations;
using BotFlow.Host.Tests.Infrastructure;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Security;

/// <summary>
/// The hostile-input battery (security.md, hardening.md): each case gets a clear error or a bounded, recorded failure;
/// the host keeps serving; nothing is stored half-way; no secret in any output.
/// </summary>
public sealed class HostileInputTests
{
    private static async Task AssertStillServing(BotFlowApp app) =>
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/health")).StatusCode);

    // ----- flow documents -----

    [Fact]
    public async Task A_flow_of_2001_blocks_is_refused_naming_the_limit()
    {
        using var app = new BotFlowApp();
        var blocks = new JArray(Enumerable.Range(0, 2001).Select(i => new JObject { ["id"] = $"b{i}", ["type"] = "end" }));
        var response = await app.CreateClient().PutAsync("/api/flows/grande", Json(new JObject { ["id"] = "grande", ["start"] = "b0", ["blocks"] = blocks }.ToString()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 2000 blocks", (string?)(await ReadAsync(response))["errors"]![0]!["message"]);
        await AssertStillServing(app);
    }

    [Fact]
    public async Task Ten_thousand_levels_of_nesting_are_refused_by_the_depth_limit()
    {
        using var app = new BotFlowApp();
        var deep = new string('[', 10_000) + new string(']', 10_000);
        var response = await app.CreateClient().PutAsync("/api/flows/fundo", Json($$"""{ "id": "fundo", "start": "a", "blocks": [ { "id": "a", "type": "end", "config": { "x": {{deep}} } } ] }"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("depth", (string?)(await ReadAsync(response))["detail"], StringComparison.OrdinalIgnoreCase);
        await AssertStillServing(app);
    }

    [Fact]
    public async Task A_huge_string_is_refused_with_its_block_and_path()
    {
        using var app = new BotFlowApp();
        var response = await app.CreateClient().PutAsync("/api/flows/texto", Json(new JObject
        {
            ["id"] = "texto", ["start"] = "a",
            ["blocks"] = new JArray(new JObject { ["id"] = "a", ["type"] = "message", ["config"] = new JObject { ["text"] = new string('x', 70_000) } }),
        }.ToString()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await ReadAsync(response))["errors"]![0]!;
        Assert.Equal("a", (string?)error["blockId"]);
        Assert.Equal("blocks[0].config.text", (string?)error["path"]);
    }

    [Fact]
    public async Task A_flow_that_loops_without_waiting_is_stopped_and_the_host_keeps_serving()
    {
        using var app = new BotFlowApp();
        await app.PutFlowAsync("""
            { "id": "ciclo", "start": "a", "blocks": [
              { "id": "a", "type": "condition", "config": { "expression": "true" }, "exits": { "true": "b" } },
              { "id": "b", "type": "condition", "config": { "expression": "true" }, "exits": { "true": "a" } } ] }
            """);

        var answer = await app.SendAsync("ciclo", "c1", "oi");

        Assert.Equal("ended", (string?)answer["status"]);
        Assert.Contains("loops", (string?)answer["errors"]![0]);
        await AssertStillServing(app);
    }

    [Fact]
    public async Task Trailing_commas_and_comments_are_tolerated_on_import()
    {
        using var app = new BotFlowApp();
        var response = await app.CreateClient().PutAsync("/api/flows/virgula", Json("""
            { "id": "virgula", /* c */ "start": "a", "blocks": [ { "id": "a", "type": "end", }, ], }
            """));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // ----- the conversation endpoint -----

    [Fact]
    public async Task A_1_mib_message_is_refused_before_anything_is_stored()
    {
        using var app = new BotFlowApp();
        await app.PutFlowAsync("""{ "id": "f", "start": "a", "blocks": [ { "id": "a", "type": "end", "config": { "text": "ok" } } ] }""");

        var response = await app.CreateClient().PostAsync("/api/flows/f/conversations/c1/messages", Json("{\"text\":\"" + new string('x', 1024 * 1024) + "\"}"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync("/api/contacts/c1")).StatusCode);
    }

    [Fact]
    public async Task A_hundred_concurrent_messages_from_one_contact_are_serialised_or_refused_never_interleaved()
    {
        using var app = new BotFlowApp().Set("BotFlow:RateLimits:ConversationPerContactPerMinute", "1000");

        await ConcurrencyChecks.AssertSerialisedAsync(app, 100);
    }

    // ----- partner responses -----

    [Theory]
    [InlineData("/hostile/endless", "larger than")]
    [InlineData("/hostile/gzip-bomb", "larger than")]
    [InlineData("/hostile/loop", "redirects")]
    [InlineData("/hostile/headers", "")]
    public async Task A_hostile_partner_response_ends_in_a_bounded_recorded_failure(string path, string expected)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();

        var result = await ReadAsync(await app.CreateClient().PostAsync("/api/integrations/test", Json($$"""{ "config": { "method": "GET", "url": "{{upstream.BaseUrl}}{{path}}", "timeoutSeconds": 5 } }""")), expectSuccess: true);

        Assert.Equal("failure", (string?)result["outcome"]);
        Assert.Contains(expected, (string?)result["response"]!["error"] ?? "");
        Assert.Single(await ExecutionsOf(app));
        await AssertStillServing(app);
    }

    [Fact]
    public async Task A_partner_that_drips_one_byte_a_second_is_cut_at_the_block_timeout()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        var started = DateTime.UtcNow;

        var result = await ReadAsync(await app.CreateClient().PostAsync("/api/integrations/test", Json($$"""{ "config": { "method": "GET", "url": "{{upstream.BaseUrl}}/hostile/drip", "timeoutSeconds": 2 } }""")), expectSuccess: true);

        Assert.Equal("failure", (string?)result["outcome"]);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.Contains("deadline", (string?)result["response"]!["error"]);
    }

    [Fact]
    public async Task Invalid_utf8_is_decoded_with_replacement_characters()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();

        var result = await ReadAsync(await app.CreateClient().PostAsync("/api/integrations/test", Json($$"""{ "config": { "method": "GET", "url": "{{upstream.BaseUrl}}/hostile/invalid-utf8" } }""")), expectSuccess: true);

        Assert.Equal("success", (string?)result["outcome"]);
        Assert.StartsWith("ok\uFFFD", (string?)result["response"]!["body"]);
    }

    [Fact]
    public async Task A_retry_after_of_ten_years_is_not_waited_for()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        var started = DateTime.UtcNow;

        var result = await ReadAsync(await app.CreateClient().PostAsync("/api/integrations/test", Json($$"""{ "config": { "method": "GET", "url": "{{upstream.BaseUrl}}/hostile/retry-after-ten-years", "retry": { "inlineAttempts": 3 } } }""")), expectSuccess: true);

        Assert.Equal("failure", (string?)result["outcome"]);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.Contains(result["warnings"]!, w => ((string)w!).Contains("inline budget", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_redirect_to_the_metadata_address_is_refused_outside_development()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp(environment: "Production")
            .Set("BotFlow:Auth:ApiKeys:0:Name", "t").Set("BotFlow:Auth:ApiKeys:0:Role", "admin").Set("BotFlow:Auth:ApiKeys:0:Key", "k-0123456789abcdef")
            .Set("BotFlow:Integration:AllowedHosts:0", "127.0.0.1");
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "k-0123456789abcdef");

        var result = await ReadAsync(await client.PostAsync("/api/integrations/test", Json($$"""{ "config": { "method": "GET", "url": "{{upstream.BaseUrl}}/hostile/to-metadata" } }""")), expectSuccess: true);

        Assert.Equal("failure", (string?)result["outcome"]);
        Assert.Contains("internal address", (string?)result["response"]!["error"]);
    }

    // ----- secrets -----

    [Fact]
    public async Task A_partner_echoing_the_token_and_a_script_throwing_it_leak_nothing()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        (await app.CreateClient().PutAsync("/api/secrets/tok", Json("""{"value":"super-secret-token-987"}"""))).EnsureSuccessStatusCode();

        var text = await (await app.CreateClient().PostAsync("/api/integrations/test", Json($$$"""
            { "config": { "method": "GET", "url": "{{{upstream.BaseUrl}}}/hostile/echo-secret", "auth": { "type": "bearer", "token": "{{ secrets.tok }}" },
              "script": "throw new Error('partner said: ' + response.body.error + ' / ' + response.text);" } }
            """))).Content.ReadAsStringAsync();

        Assert.Contains("partner said", text, StringComparison.Ordinal);
        Assert.DoesNotContain("super-secret-token-987", text, StringComparison.Ordinal);
        Assert.DoesNotContain("super-secret-token-987", (await ExecutionsOf(app)).ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs, l => l.Contains("super-secret-token-987", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cpf_and_phone_do_not_appear_in_log_lines()
    {
        using var app = new BotFlowApp();
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);
        await app.SendAsync("atendimento", "5511976543210", "oi", new { name = "Ana" });
        await app.SendAsync("atendimento", "5511976543210", "123.456.789-09");
        await app.SendAsync("atendimento", "5511976543210", "529.982.247-25");

        Assert.DoesNotContain(app.Logs, l => l.Contains("52998224725", StringComparison.Ordinal) || l.Contains("529.982.247-25", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs, l => l.Contains("5511976543210", StringComparison.Ordinal));
    }

    private static async Task<JArray> ExecutionsOf(BotFlowApp app) =>
        (JArray)(await ReadAsync(await app.CreateClient().GetAsync("/api/executions?limit=100"), expectSuccess: true))["items"]!;
}

public sealed class AddressGuardTests
{
    [Theory]
    [InlineData("0.0.0.1")] [InlineData("10.1.2.3")] [InlineData("100.64.0.1")] [InlineData("127.0.0.1")] [InlineData("169.254.169.254")]
    [InlineData("172.16.0.1")] [InlineData("172.31.255.255")] [InlineData("192.168.1.1")] [InlineData("198.18.0.1")] [InlineData("224.0.0.1")] [InlineData("240.0.0.1")]
    [InlineData("::1")] [InlineData("::")] [InlineData("fc00::1")] [InlineData("fd00:ec2::254")] [InlineData("fe80::1")] [InlineData("::ffff:127.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")] [InlineData("2002:a9fe:a9fe::1")] [InlineData("2001:0:4136:e378:8000:63bf:80ff:fffe")]
    public void Internal_addresses_are_refused(string address) => Assert.False(AddressGuard.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")] [InlineData("172.32.0.1")] [InlineData("100.128.0.1")] [InlineData("2606:4700::1111")] [InlineData("64:ff9b::808:808")]
    public void Public_addresses_are_allowed(string address) => Assert.True(AddressGuard.IsPublic(IPAddress.Parse(address)));
}
