using System.Net;
using BotFlow.Host.Tests.Infrastructure;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Integrations;

/// <summary>Each failure takes the failure exit (the Financeiro transfer in the boleto flow) with a clear recorded error; the host keeps serving.</summary>
public sealed class IntegrationFailureTests
{
    private const string Contact = "5511955554444";

    private static async Task<(JObject Answer, JArray Executions)> AskForBoletoAsync(BotFlowApp app)
    {
        await app.SendAsync("segunda-via-boleto", Contact, "oi", new { name = "Ana", email = "ana@example.com" });
        var answer = await app.SendAsync("segunda-via-boleto", Contact, "52998224725");
        var executions = (JArray)(await ReadAsync(await app.CreateClient().GetAsync($"/api/executions?contactId={Contact}"), expectSuccess: true))["items"]!;
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/health")).StatusCode);
        return (answer, executions);
    }

    private static void AssertFailureBranch(JObject answer)
    {
        Assert.Equal(["Vou te passar para o nosso time financeiro."], Replies(answer));
        Assert.Equal("transferred", (string?)answer["status"]);
        Assert.Equal("Financeiro", (string?)answer["department"]);
    }

    [Fact]
    public async Task Wrong_secret_gets_401_and_takes_the_failure_exit()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto", boletoToken: "wrong-token-123");

        var (answer, executions) = await AskForBoletoAsync(app);

        AssertFailureBranch(answer);
        var execution = Assert.Single(executions);
        Assert.Equal("failure", (string?)execution["outcome"]);
        Assert.Equal("HTTP 401", (string?)execution["error"]);
        Assert.Equal(401, (int)execution["response"]!["status"]!);
        Assert.Single(upstream.Requests); // 401 is not retryable
    }

    [Fact]
    public async Task A_status_listed_in_success_status_takes_the_success_exit_and_one_outside_it_the_failure_exit()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        await app.PutFlowAsync(upstream.Rewrite(Samples.Flow("segunda-via-boleto")).Replace("\"timeoutSeconds\": 10", "\"timeoutSeconds\": 10, \"successStatus\": \"200-299, 404\""));
        upstream.Next(1, 404, """{"data":{"url":"https://pay.example/none"}}""");
        upstream.Next(1, 409, """{"error":"conflict"}""");

        // Two contacts, one run each of the same block: the second run reads the list the first one parsed.
        var answers = new List<JObject>();
        foreach (var contact in new[] { "5511955550001", "5511955550002" })
        {
            await app.SendAsync("segunda-via-boleto", contact, "oi", new { name = "Ana", email = "ana@example.com" });
            answers.Add(await app.SendAsync("segunda-via-boleto", contact, "52998224725"));
        }

        Assert.Equal("Seu boleto: https://pay.example/none", Replies(answers[0]).First());
        AssertFailureBranch(answers[1]);
        var failed = (JArray)(await ReadAsync(await app.CreateClient().GetAsync("/api/executions?contactId=5511955550002"), expectSuccess: true))["items"]!;
        Assert.Equal("HTTP 409", (string?)Assert.Single(failed)["error"]);
        Assert.Equal(2, upstream.Requests.Count); // 409 is not retried
    }

    [Fact]
    public async Task A_500_then_a_200_succeeds_on_the_inline_retry_with_the_same_idempotency_key()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp().Set("BotFlow:Integration:InlineBackoff", "00:00:00.050");
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        upstream.Next(1, 500, """{"error":"temporarily down"}""");

        var (answer, executions) = await AskForBoletoAsync(app);

        Assert.Equal("Seu boleto: https://pay.example/b/52998224725", Replies(answer).First());
        Assert.Equal(2, upstream.Requests.Count);
        Assert.Single(upstream.Requests.Select(r => r.Headers["idempotency-key"]).Distinct());
        Assert.Equal(["2:success", "1:failure"], executions.Select(e => $"{e["attempt"]}:{e["outcome"]}"));
        Assert.Single(executions.Select(e => (string?)e["id"]).Distinct());
    }

    [Fact]
    public async Task A_timeout_takes_the_failure_exit_with_a_timeout_error()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        await app.PutFlowAsync(upstream.Rewrite(Samples.Flow("segunda-via-boleto")).Replace("\"timeoutSeconds\": 10", "\"timeoutSeconds\": 1").Replace("\"inlineAttempts\": 2", "\"inlineAttempts\": 1"));
        upstream.Next(1, 200, """{"data":{"url":"late"}}""", delay: TimeSpan.FromSeconds(5));

        var (answer, executions) = await AskForBoletoAsync(app);

        AssertFailureBranch(answer);
        Assert.Contains("no response within 1 s", (string?)executions[0]["error"]);
    }

    [Fact]
    public async Task Connection_refused_takes_the_failure_exit()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp().Set("BotFlow:Integration:InlineBackoff", "00:00:00.050");
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        var closedPort = FreePort();
        await app.PutFlowAsync(Samples.Flow("segunda-via-boleto").Replace("http://127.0.0.1:18080", $"http://127.0.0.1:{closedPort}"));

        var (answer, executions) = await AskForBoletoAsync(app);

        AssertFailureBranch(answer);
        Assert.Equal(2, executions.Count); // connection failures are retried inline
        Assert.Contains("ConnectionRefused", (string?)executions[0]["error"]);
    }

    [Fact]
    public async Task A_2_mib_response_is_refused_as_too_large()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        upstream.Next(1, 200, "{\"data\":\"" + new string('x', 2 * 1024 * 1024) + "\"}");

        var (answer, executions) = await AskForBoletoAsync(app);

        AssertFailureBranch(answer);
        Assert.Contains("larger than 1048576 bytes", (string?)executions[0]["error"]);
    }

    [Fact]
    public async Task An_html_error_page_takes_the_failure_exit_and_is_recorded_as_text()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp().Set("BotFlow:Integration:InlineBackoff", "00:00:00.050");
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        upstream.Next(2, 502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html");

        var (answer, executions) = await AskForBoletoAsync(app);

        AssertFailureBranch(answer);
        Assert.Equal("HTTP 502", (string?)executions[0]["error"]);
        Assert.Contains("502 Bad Gateway", (string?)executions[0]["response"]!["body"]);
    }

    [Fact]
    public async Task Invalid_json_declared_as_json_takes_the_failure_exit()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        upstream.Next(1, 200, "{\"data\": {\"url\": oops");

        var (answer, executions) = await AskForBoletoAsync(app);

        AssertFailureBranch(answer);
        Assert.Contains("does not parse", (string?)executions[0]["error"]);
    }

    [Fact]
    public async Task Retry_after_is_honoured_within_the_inline_budget()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        upstream.Next(1, 429, """{"error":"slow down"}""", retryAfter: "1");

        var started = DateTime.UtcNow;
        var (answer, _) = await AskForBoletoAsync(app);

        Assert.Equal("Seu boleto: https://pay.example/b/52998224725", Replies(answer).First());
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(0.9));
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
