using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BotFlow.Editor.Tests.Infrastructure;
using BotFlow.Host.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Playwright;

namespace BotFlow.Editor.Tests.SignIn;

/// <summary>
/// The editor against a Production host that needs a credential: one editor and one viewer user, signed in through the
/// page with the session cookie, and every state-changing request carrying the antiforgery token (docs/security.md).
/// </summary>
public sealed class SignInTests : IAsyncLifetime
{
    private const string EditorUser = "ana";
    private const string EditorPassword = "senha-da-ana-123";
    private const string ViewerUser = "beto";
    private const string ViewerPassword = "senha-do-beto-456";
    private const string AdminKey = "editor-tests-admin-key-5f1c0e2a";

    /// <summary>Fetch from inside the page: same origin, the session cookie, and no token unless the script adds one.</summary>
    private const string PutFieldFromPage = """
        async (token) => {
          const headers = { 'content-type': 'application/json' };
          if (token) headers['X-XSRF-TOKEN'] = token;
          const response = await fetch('/api/fields/intruso', { method: 'PUT', headers, body: JSON.stringify({ label: 'Intruso', type: 'text' }) });
          return response.status;
        }
        """;

    private EditorSession _s = null!;

    public async Task InitializeAsync()
    {
        var hasher = new PasswordHasher<AuthUser>();
        var settings = new Dictionary<string, string?>
        {
            ["BotFlow:Auth:Users:0:Username"] = EditorUser,
            ["BotFlow:Auth:Users:0:Role"] = "editor",
            ["BotFlow:Auth:Users:0:PasswordHash"] = hasher.HashPassword(new(), EditorPassword),
            ["BotFlow:Auth:Users:1:Username"] = ViewerUser,
            ["BotFlow:Auth:Users:1:Role"] = "viewer",
            ["BotFlow:Auth:Users:1:PasswordHash"] = hasher.HashPassword(new(), ViewerPassword),
        };
        _s = await EditorSession.StartAsync(EditorHost.Production(settings, AdminKey));
    }

    public async Task DisposeAsync() => await _s.DisposeAsync();

    [Fact]
    public async Task An_editor_signs_in_with_a_cookie_and_saves_a_field_with_the_antiforgery_token()
    {
        var page = _s.Page;
        var index = await page.GotoAsync("/");
        Assert.NotNull(index);
        var headers = await index.AllHeadersAsync();
        Assert.Equal(SecurityHeaders.EditorPolicy, headers["content-security-policy"]);
        Assert.Contains("script-src 'self';", headers["content-security-policy"], StringComparison.Ordinal);

        await _s.ExpectVisibleAsync("signin-page");
        await _s.ById("signin-username").FillAsync(EditorUser);
        await _s.ById("signin-password").FillAsync(EditorPassword);
        await page.ScreenshotAsync(new() { Path = EditorSession.ScreenshotPath("sign-in.png") });
        await _s.ById("signin-submit").ClickAsync();

        await _s.ExpectTextAsync("user-name", EditorUser);
        await Assertions.Expect(_s.ById("user-role")).ToHaveAttributeAsync("data-role", "editor");
        await _s.ExpectTextAsync("user-role", "editor");
        await _s.ExpectVisibleAsync("sign-out");
        var cookies = await page.Context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == ApiKeyAuthenticationHandler.CookieName);
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);

        // A registration field through the page: the PUT carries the token the sign-in answered.
        await _s.ById("nav-fields").ClickAsync();
        await _s.ById("field-key").FillAsync("cpf");
        await _s.ById("field-label").FillAsync("CPF do cliente");
        await _s.ById("field-type").SelectOptionAsync("cpf");
        var put = page.WaitForRequestAsync(r => r.Method == "PUT" && r.Url.EndsWith("/api/fields/cpf", StringComparison.Ordinal));
        await _s.ById("field-save").ClickAsync();
        var request = await put;
        var token = await request.HeaderValueAsync("X-XSRF-TOKEN");
        Assert.False(string.IsNullOrWhiteSpace(token));
        var response = await request.ResponseAsync();
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        await _s.ExpectVisibleAsync("field-row-cpf");

        var fields = (await _s.GetJsonAsync("/api/fields")).AsArray();
        var saved = Assert.Single(fields, f => f!["key"]!.GetValue<string>() == "cpf");
        Assert.Equal("CPF do cliente", saved!["label"]!.GetValue<string>());
        Assert.Equal("cpf", saved["type"]!.GetValue<string>());

        // An editor reads secret names but may not set them.
        await _s.ById("nav-secrets").ClickAsync();
        await _s.ExpectVisibleAsync("secrets-page");
        await _s.ExpectVisibleAsync("read-only");
        await Assertions.Expect(_s.ById("secret-save")).ToHaveCountAsync(0);

        // Signing out ends the cookie session: the page is back at sign-in and the API answers 401.
        await _s.ById("sign-out").ClickAsync();
        await _s.ExpectVisibleAsync("signin-page");
        Assert.Equal(401, await page.EvaluateAsync<int>("async () => (await fetch('/api/auth/me')).status"));
        Assert.Empty(_s.ConsoleErrors);
    }

    [Fact]
    public async Task A_viewer_sees_the_editor_read_only()
    {
        var flow = JsonNode.Parse("""
            { "id": "ola", "name": "Olá", "start": "fim", "blocks": [ { "id": "fim", "type": "end", "config": { "text": "Tchau!" } } ] }
            """);
        Assert.True((await _s.Api.PutAsJsonAsync("/api/flows/ola", flow)).IsSuccessStatusCode);
        Assert.True((await _s.Api.PutAsJsonAsync("/api/fields/cpf", new { label = "CPF", type = "cpf" })).IsSuccessStatusCode);
        Assert.True((await _s.Api.PutAsJsonAsync("/api/secrets/boleto_token", new { value = "s3cr3t" })).IsSuccessStatusCode);
        var channel = new { type = "whatsapp", flowId = "ola", settings = new { phoneNumberId = "1", accessToken = "boleto_token", appSecret = "boleto_token", verifyToken = "boleto_token" } };
        Assert.True((await _s.Api.PutAsJsonAsync("/api/channels/wa", channel)).IsSuccessStatusCode);

        var page = _s.Page;
        await page.GotoAsync("/");
        await _s.ById("signin-username").FillAsync(ViewerUser);
        await _s.ById("signin-password").FillAsync(ViewerPassword);
        await _s.ById("signin-submit").ClickAsync();
        await _s.ExpectTextAsync("user-name", ViewerUser);
        await Assertions.Expect(_s.ById("user-role")).ToHaveAttributeAsync("data-role", "viewer");

        // Flows: listed, no create, import, duplicate or delete.
        await _s.ExpectVisibleAsync("flow-row-ola");
        await _s.ExpectVisibleAsync("read-only");
        await Assertions.Expect(_s.ById("create-flow")).ToHaveCountAsync(0);
        await Assertions.Expect(_s.ById("import-flow")).ToHaveCountAsync(0);
        await Assertions.Expect(_s.ById("delete-ola")).ToHaveCountAsync(0);

        // The canvas opens without save, validate or palette, and the block's form is disabled.
        await _s.ById("open-ola").ClickAsync();
        await _s.ExpectVisibleAsync("node-fim");
        await Assertions.Expect(_s.ById("save-flow")).ToHaveCountAsync(0);
        await Assertions.Expect(_s.ById("validate-flow")).ToHaveCountAsync(0);
        await Assertions.Expect(_s.ById("palette")).ToHaveCountAsync(0);
        await _s.ById("node-fim").ClickAsync();
        await Assertions.Expect(_s.ById("block-delete")).ToBeDisabledAsync();

        // Fields and secrets: names only, no save, change or delete.
        await _s.ById("nav-fields").ClickAsync();
        await _s.ExpectVisibleAsync("field-row-cpf");
        await Assertions.Expect(_s.ById("field-save")).ToHaveCountAsync(0);
        await Assertions.Expect(_s.ById("field-row-cpf").GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        await _s.ById("nav-secrets").ClickAsync();
        await _s.ExpectVisibleAsync("secret-row-boleto_token");
        await Assertions.Expect(_s.ById("secret-save")).ToHaveCountAsync(0);
        await Assertions.Expect(_s.ById("secret-row-boleto_token").GetByRole(AriaRole.Button)).ToHaveCountAsync(0);

        // Channels: listed with the webhook URL, no form, change or delete.
        await _s.ById("nav-channels").ClickAsync();
        await _s.ExpectTextAsync("channel-webhook-wa", "/channels/wa/webhook");
        await _s.ExpectVisibleAsync("read-only");
        await Assertions.Expect(_s.ById("channel-form")).ToHaveCountAsync(0);
        await Assertions.Expect(_s.ById("channel-edit-wa")).ToHaveCountAsync(0);
        await Assertions.Expect(_s.ById("channel-delete-wa")).ToHaveCountAsync(0);

        // The simulator shows the flow, but a viewer cannot talk to it.
        await page.GotoAsync("/#/simulator/ola");
        await _s.ExpectVisibleAsync("simulator-page");
        await Assertions.Expect(_s.ById("sim-send")).ToBeDisabledAsync();
        await Assertions.Expect(_s.ById("sim-input")).ToBeDisabledAsync();

        // The host enforces it too: without the token the cookie request is refused (CSRF), with it the role is.
        Assert.Equal((int)HttpStatusCode.BadRequest, await page.EvaluateAsync<int>(PutFieldFromPage, (string?)null));
        var token = await page.EvaluateAsync<string>("async () => (await (await fetch('/api/auth/antiforgery')).json()).antiforgeryToken");
        Assert.Equal((int)HttpStatusCode.Forbidden, await page.EvaluateAsync<int>(PutFieldFromPage, token));
        var fields = (await _s.GetJsonAsync("/api/fields")).AsArray();
        Assert.DoesNotContain(fields, f => f!["key"]!.GetValue<string>() == "intruso");
        Assert.Empty(_s.ConsoleErrors);
    }

    [Fact]
    public async Task An_expired_session_asks_to_sign_in_again_and_keeps_the_unsaved_flow()
    {
        var page = _s.Page;
        await page.GotoAsync("/#/flow/novo?name=Novo");
        await _s.ById("signin-username").FillAsync(EditorUser);
        await _s.ById("signin-password").FillAsync(EditorPassword);
        await _s.ById("signin-submit").ClickAsync();
        await _s.ExpectVisibleAsync("canvas");
        await _s.DropBlockAsync("end", 60, 40);
        await _s.ExpectVisibleAsync("unsaved");

        // The session ends behind the page's back (expired or signed out elsewhere): the save answers 401.
        await page.Context.ClearCookiesAsync();
        await _s.ById("save-flow").ClickAsync();
        await _s.ExpectVisibleAsync("signin-page");
        await _s.ExpectTextAsync("signin-page", "expirou");

        await _s.ById("signin-username").FillAsync(EditorUser);
        await _s.ById("signin-password").FillAsync(EditorPassword);
        await _s.ById("signin-submit").ClickAsync();
        await Assertions.Expect(_s.ById("signin-page")).ToHaveCountAsync(0);
        await _s.ExpectVisibleAsync("node-end-1");
        await _s.ExpectVisibleAsync("unsaved");
        await _s.ById("save-flow").ClickAsync();
        await _s.ExpectTextAsync("editor-status", "Fluxo salvo.");
        await Assertions.Expect(_s.ById("unsaved")).ToHaveCountAsync(0);

        var saved = await _s.GetJsonAsync("/api/flows/novo");
        Assert.Equal("end-1", saved["blocks"]![0]!["id"]!.GetValue<string>());
        Assert.Empty(_s.ConsoleErrors);
    }

    [Fact]
    public async Task A_wrong_password_shows_an_error_and_stays_on_the_sign_in_page()
    {
        var page = _s.Page;
        await page.GotoAsync("/#/fields");
        await _s.ExpectVisibleAsync("signin-page");
        await _s.ById("signin-username").FillAsync(EditorUser);
        await _s.ById("signin-password").FillAsync("not-the-password");
        await _s.ById("signin-submit").ClickAsync();

        await _s.ExpectTextAsync("signin-error", "Usuário ou senha incorretos.");
        await _s.ExpectVisibleAsync("signin-page");
        await Assertions.Expect(_s.ById("user-name")).ToHaveCountAsync(0);
        await Assertions.Expect(_s.ById("fields-page")).ToHaveCountAsync(0);

        // The same in English, and still no session.
        await _s.ById("signin-lang-switch").ClickAsync();
        await _s.ById("signin-submit").ClickAsync();
        await _s.ExpectTextAsync("signin-error", "Wrong user name or password.");
        Assert.Equal(401, await page.EvaluateAsync<int>("async () => (await fetch('/api/auth/me')).status"));
        Assert.Empty(_s.ConsoleErrors);
    }
}
