using BotFlow.Host.Tests.Infrastructure;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Secrets;

/// <summary>The host keeps decrypted secrets between integration runs; a change must still reach the very next run.</summary>
public sealed class SecretChangeTests
{
    private static async Task<JObject> AskForBoletoAsync(BotFlowApp app, string contact)
    {
        await app.SendAsync("segunda-via-boleto", contact, "oi", new { name = "Ana", email = "ana@example.com" });
        return await app.SendAsync("segunda-via-boleto", contact, "52998224725");
    }

    [Fact]
    public async Task A_secret_set_or_deleted_is_used_by_the_next_integration_run()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto", boletoToken: "wrong-token-123");
        var client = app.CreateClient();

        var withWrongToken = await AskForBoletoAsync(app, "5511955550001");
        (await client.PutAsync("/api/secrets/boleto_token", Json($$"""{"value":"{{FakeUpstream.BoletoToken}}"}"""))).EnsureSuccessStatusCode();
        var withRightToken = await AskForBoletoAsync(app, "5511955550002");
        (await client.DeleteAsync("/api/secrets/boleto_token")).EnsureSuccessStatusCode();
        var withoutToken = await AskForBoletoAsync(app, "5511955550003");

        Assert.Equal("transferred", (string?)withWrongToken["status"]);
        Assert.Equal("Seu boleto: https://pay.example/b/52998224725", Replies(withRightToken).First());
        Assert.Equal("transferred", (string?)withoutToken["status"]);
        Assert.Equal(["Bearer wrong-token-123", $"Bearer {FakeUpstream.BoletoToken}"], upstream.Requests.Select(r => r.Headers["authorization"]));
        var last = (JArray)(await ReadAsync(await client.GetAsync("/api/executions?contactId=5511955550003"), expectSuccess: true))["items"]!;
        Assert.Contains("boleto_token", (string?)Assert.Single(last)["error"]);
    }
}
