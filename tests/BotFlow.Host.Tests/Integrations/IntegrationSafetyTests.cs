using System.Net;
using System.Text;
using BotFlow.Host.Tests.Infrastructure;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Integrations;

public sealed class IntegrationSafetyTests
{
    private const string AdminKey = "admin-key-for-tests-0123456789";

    private static BotFlowApp ProductionApp() => new BotFlowApp(environment: "Production")
        .Set("BotFlow:Auth:ApiKeys:0:Name", "tests").Set("BotFlow:Auth:ApiKeys:0:Role", "admin").Set("BotFlow:Auth:ApiKeys:0:Key", AdminKey);

    private static HttpClient Admin(BotFlowApp app)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        return client;
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://localhost:{port}/boletos/segunda-via")]
    [InlineData("http://127.0.0.1:{port}/boletos/segunda-via")]
    [InlineData("http://[::ffff:127.0.0.1]:{port}/boletos/segunda-via")]
    public async Task Internal_addresses_are_refused_outside_development(string url)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = ProductionApp();
        var port = new Uri(upstream.BaseUrl).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var result = await ReadAsync(await Admin(app).PostAsync("/api/integrations/test",
            Json(new JObject { ["config"] = new JObject { ["method"] = "GET", ["url"] = url.Replace("{port}", port) } }.ToString())), expectSuccess: true);

        Assert.Equal("failure", (string?)result["outcome"]);
        Assert.Contains("internal address", (string?)result["response"]!["error"]);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Allow_listed_hosts_may_be_reached_outside_development()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = ProductionApp().Set("BotFlow:Integration:AllowedHosts:0", "127.0.0.1");

        var result = await ReadAsync(await Admin(app).PostAsync("/api/integrations/test",
            Json($$"""{ "config": { "method": "GET", "url": "{{upstream.BaseUrl}}/redirect/0" } }""")), expectSuccess: true);

        Assert.Equal("success", (string?)result["outcome"]);
    }

    [Theory]
    [InlineData(307, "POST", """{"n":1}""")]
    [InlineData(308, "POST", """{"n":1}""")]
    [InlineData(302, "GET", "")]
    [InlineData(303, "GET", "")]
    public async Task A_redirected_post_keeps_its_body_only_where_http_says_so(int code, string method, string body)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        var config = new JObject
        {
            ["method"] = "POST", ["url"] = $"{upstream.BaseUrl}/redirect-post/{code}/2",
            ["body"] = new JArray(new JObject { ["key"] = "n", ["value"] = "1", ["type"] = "number" }),
        };

        var result = await ReadAsync(await app.CreateClient().PostAsync("/api/integrations/test", Json(new JObject { ["config"] = config }.ToString())), expectSuccess: true);

        var echoed = result["response"]!["body"]!;
        Assert.Equal(method, (string?)echoed["method"]);
        Assert.Equal(body, (string?)echoed["body"]);
        Assert.Equal(method == "POST" ? "application/json; charset=utf-8" : null, (string?)echoed["contentType"]);
        Assert.Equal(3, upstream.Requests.Count);
    }

    [Fact]
    public async Task A_redirect_to_an_internal_address_is_refused()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = ProductionApp().Set("BotFlow:Integration:AllowedHosts:0", "127.0.0.1");
        upstream.Next(1, 302, "");

        // The allow-listed upstream redirects to a path on itself: allowed. Metadata addresses stay refused even then.
        var config = new JObject { ["method"] = "GET", ["url"] = "http://169.254.169.254/x" };
        var result = await ReadAsync(await Admin(app).PostAsync("/api/integrations/test", Json(new JObject { ["config"] = config }.ToString())), expectSuccess: true);

        Assert.Contains("internal address", (string?)result["response"]!["error"]);
    }

    [Fact]
    public async Task Secret_values_never_appear_in_api_output_logs_or_storage()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        // A partner that echoes the token back in its error body.
        upstream.Next(2, 500, $$"""{"error":"token {{FakeUpstream.BoletoToken}} rejected"}""");
        var outputs = new List<string>();
        await app.SendAsync("segunda-via-boleto", "5511900001111", "oi", new { name = "Ana", email = "a@b.co" });
        outputs.Add((await app.SendAsync("segunda-via-boleto", "5511900001111", "52998224725")).ToString());
        await app.SendAsync("segunda-via-boleto", "5511900002222", "oi", new { name = "Bia", email = "b@b.co" });
        outputs.Add((await app.SendAsync("segunda-via-boleto", "5511900002222", "52998224725")).ToString());

        var client = app.CreateClient();
        var flow = upstream.Rewrite(Samples.Flow("segunda-via-boleto"));
        var config = JObject.Parse(flow)["blocks"]![2]!["config"]!;
        foreach (var path in new[] { "/api/integrations/preview", "/api/integrations/test" })
        {
            outputs.Add(await (await client.PostAsync(path, Json(new JObject { ["config"] = config, ["fields"] = new JObject { ["name"] = "Ana", ["cpf"] = "52998224725", ["email"] = "a@b.co" } }.ToString()))).Content.ReadAsStringAsync());
        }

        foreach (var path in new[] { "/api/executions?limit=100", "/api/secrets", "/api/contacts/5511900001111", "/api/contacts/5511900001111/messages", "/api/flows/segunda-via-boleto" })
        {
            outputs.Add(await client.GetStringAsync(path));
        }

        Assert.Contains(upstream.Requests, r => r.Headers["authorization"] == $"Bearer {FakeUpstream.BoletoToken}");
        Assert.All(outputs, o => Assert.DoesNotContain(FakeUpstream.BoletoToken, o, StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Contains("token *** rejected", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs, l => l.Contains(FakeUpstream.BoletoToken, StringComparison.Ordinal));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(app.DataFolder, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.DoesNotContain(FakeUpstream.BoletoToken, Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Secrets_are_refused_in_messages_at_save_time()
    {
        using var app = new BotFlowApp();
        var response = await app.CreateClient().PutAsync("/api/flows/vaza", Json("""
            { "id": "vaza", "start": "a", "blocks": [ { "id": "a", "type": "message", "config": { "text": "token: {{ secrets.boleto_token }}" } } ] }
            """));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("secrets are not available", (string?)(await ReadAsync(response))["errors"]![0]!["message"]);
    }

    [Fact]
    public async Task Secret_values_are_never_returned_by_the_secrets_api()
    {
        using var app = new BotFlowApp();
        var client = app.CreateClient();
        (await client.PutAsync("/api/secrets/crm_token", Json("""{"value":"very-secret-value-42"}"""))).EnsureSuccessStatusCode();

        var list = await client.GetStringAsync("/api/secrets");
        var badName = await client.PutAsync("/api/secrets/bad-name", Json("""{"value":"x"}"""));

        Assert.Contains("crm_token", list, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret-value-42", list, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/secrets/crm_token")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync("/api/secrets/crm_token")).StatusCode);
    }
}
