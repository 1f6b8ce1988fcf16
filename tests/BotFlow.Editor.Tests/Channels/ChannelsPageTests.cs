using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BotFlow.Editor.Tests.Infrastructure;
using Microsoft.Playwright;

namespace BotFlow.Editor.Tests.Channels;

/// <summary>The Channels page in Debian's Chromium against the real host (Development: loopback acts as admin).</summary>
public sealed class ChannelsPageTests : IAsyncLifetime
{
    private const string AccessTokenValue = "EAAG-very-secret-access-token";
    private EditorSession _s = null!;

    public async Task InitializeAsync() => _s = await EditorSession.StartAsync();

    public async Task DisposeAsync() => await _s.DisposeAsync();

    [Fact]
    public async Task An_admin_creates_a_WhatsApp_channel_with_secrets_picked_by_name_and_sees_its_webhook_url()
    {
        var flow = JsonNode.Parse("""
            { "id": "boleto", "name": "Segunda via", "start": "fim", "blocks": [ { "id": "fim", "type": "end", "config": { "text": "Tchau!" } } ] }
            """);
        Assert.True((await _s.Api.PutAsJsonAsync("/api/flows/boleto", flow)).IsSuccessStatusCode);
        Assert.True((await _s.Api.PutAsJsonAsync("/api/secrets/wa_token", new { value = AccessTokenValue })).IsSuccessStatusCode);
        Assert.True((await _s.Api.PutAsJsonAsync("/api/secrets/wa_app_secret", new { value = "app-secret-value" })).IsSuccessStatusCode);
        Assert.True((await _s.Api.PutAsJsonAsync("/api/secrets/wa_verify", new { value = "verify-value" })).IsSuccessStatusCode);

        var page = _s.Page;
        await page.GotoAsync("/#/flows");
        await _s.ById("nav-channels").ClickAsync();
        await _s.ExpectTextAsync("channels-page", "Canais");

        await _s.ById("channel-id").FillAsync("whatsapp");
        await _s.ById("channel-type").SelectOptionAsync("whatsapp");
        await _s.ById("channel-flow").SelectOptionAsync("boleto");
        await _s.ById("channel-setting-accessToken").SelectOptionAsync("wa_token");
        await _s.ById("channel-setting-appSecret").SelectOptionAsync("wa_app_secret");
        await _s.ById("channel-setting-verifyToken").SelectOptionAsync("wa_verify");

        // Without the phone number id the host refuses, and its message shows at that setting.
        await _s.ById("channel-save").ClickAsync();
        await _s.ExpectTextAsync("channel-error-settings.phoneNumberId", "phoneNumberId");
        Assert.Empty((await _s.GetJsonAsync("/api/channels")).AsArray());

        await _s.ById("channel-setting-phoneNumberId").FillAsync("123456789012345");
        await _s.ById("channel-save").ClickAsync();

        var webhookUrl = $"{_s.Host.BaseAddress}channels/whatsapp/webhook";
        await _s.ExpectVisibleAsync("channel-row-whatsapp");
        await _s.ExpectTextAsync("channel-webhook-whatsapp", webhookUrl);
        await _s.ExpectTextAsync("channel-row-whatsapp", "WhatsApp Cloud API");
        await _s.ExpectTextAsync("channel-row-whatsapp", "Segunda via");
        await _s.ExpectTextAsync("channel-pending-whatsapp", "0");
        await _s.ExpectTextAsync("channel-failed-whatsapp", "0");
        await Assertions.Expect(_s.ById("channel-error-settings.phoneNumberId")).ToHaveCountAsync(0);
        await Assertions.Expect(_s.ById("channels-page")).Not.ToContainTextAsync(AccessTokenValue);
        await page.ScreenshotAsync(new() { Path = EditorSession.ScreenshotPath("channels.png") });

        // The host stored the channel with the secrets' names, never their values.
        var channel = Assert.Single((await _s.GetJsonAsync("/api/channels")).AsArray())!;
        Assert.Equal("whatsapp", (string?)channel["id"]);
        Assert.Equal("whatsapp", (string?)channel["type"]);
        Assert.Equal("boleto", (string?)channel["flowId"]);
        Assert.Equal(webhookUrl, (string?)channel["webhookUrl"]);
        var settings = channel["settings"]!;
        Assert.Equal("123456789012345", (string?)settings["phoneNumberId"]);
        Assert.Equal("wa_token", (string?)settings["accessToken"]);
        Assert.Equal("wa_app_secret", (string?)settings["appSecret"]);
        Assert.Equal("wa_verify", (string?)settings["verifyToken"]);
        Assert.Empty(_s.ConsoleErrors);
    }
}
