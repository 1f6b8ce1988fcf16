using System.Text.Json.Nodes;
using BotFlow.Editor.Tests.Infrastructure;
using Microsoft.Playwright;

namespace BotFlow.Editor.Tests.Canvas;

/// <summary>
/// The web editor in Debian's Chromium against the real host. One class, so the tests run one after another
/// (each starts its own host and browser; running them side by side only makes timings noisier).
/// </summary>
public sealed class EditorTests : IAsyncLifetime
{
    private const string Cpf = "529.982.247-25";
    private const string CpfDigits = "52998224725";
    private EditorSession _s = null!;

    public async Task InitializeAsync() => _s = await EditorSession.StartAsync();

    public async Task DisposeAsync() => await _s.DisposeAsync();

    [Fact]
    public async Task Admin_builds_the_boleto_flow_by_drag_and_drop_and_chats_with_it()
    {
        var page = _s.Page;

        // Registration field and secret through their pages.
        await page.GotoAsync("/#/fields");
        await _s.ById("field-key").FillAsync("cpf");
        await _s.ById("field-label").FillAsync("CPF");
        await _s.ById("field-type").SelectOptionAsync("cpf");
        await _s.ById("field-save").ClickAsync();
        await _s.ExpectVisibleAsync("field-row-cpf");

        await _s.ById("nav-secrets").ClickAsync();
        await _s.ById("secret-name").FillAsync("boleto_token");
        await _s.ById("secret-value").FillAsync(FakeBoletoApi.Token);
        await _s.ById("secret-save").ClickAsync();
        await _s.ExpectVisibleAsync("secret-row-boleto_token");
        await Assertions.Expect(_s.ById("secrets-page")).Not.ToContainTextAsync(FakeBoletoApi.Token);

        // A new flow from an empty canvas.
        await _s.ById("nav-flows").ClickAsync();
        await _s.ById("new-flow-id").FillAsync("segunda-via");
        await _s.ById("new-flow-name").FillAsync("Segunda via");
        await _s.ById("create-flow").ClickAsync();
        await _s.ExpectVisibleAsync("canvas");
        await Assertions.Expect(page.Locator(".react-flow__node")).ToHaveCountAsync(0);

        await _s.DropBlockAsync("message", 60, 30);
        await _s.DropBlockAsync("question", 60, 170);
        await _s.DropBlockAsync("integration", 60, 310);
        await _s.DropBlockAsync("end", 40, 480);
        await _s.DropBlockAsync("transfer", 320, 480);
        await _s.ClickEmptyCanvasAsync();
        await _s.ExpectVisibleAsync("start-message-1");

        await _s.ConnectAsync("message-1", "default", "question-1");
        await _s.ConnectAsync("question-1", "default", "integration-1");
        await _s.ConnectAsync("integration-1", "success", "end-1");
        await _s.ConnectAsync("integration-1", "failure", "transfer-1");
        await Assertions.Expect(page.Locator(".react-flow__edge")).ToHaveCountAsync(4);

        // Core blocks get their forms from their config schemas.
        await _s.ById("node-message-1").ClickAsync();
        await _s.ById("cfg-text").FillAsync("Olá! Vou buscar a segunda via do seu boleto.");
        await _s.ById("node-question-1").ClickAsync();
        await _s.ById("cfg-text").FillAsync("Qual é o seu CPF?");
        await _s.ById("cfg-field").SelectOptionAsync("cpf");
        await _s.ById("node-end-1").ClickAsync();
        await _s.ById("cfg-text").FillAsync("Obrigado!");
        await _s.ById("node-transfer-1").ClickAsync();
        await _s.ById("cfg-department").FillAsync("Financeiro");

        // The Integration form: URL, an Authorization header from a secret, and body rows.
        await _s.ById("node-integration-1").ClickAsync();
        await _s.ExpectVisibleAsync("integration-form");
        await _s.ById("integration-method").SelectOptionAsync("POST");
        await _s.ById("integration-url").FillAsync($"{_s.Upstream.BaseUrl}/boletos/segunda-via");
        await _s.ById("headers-add").ClickAsync();
        await _s.ById("headers-key-0").FillAsync("Authorization");
        await _s.ById("headers-value-0").FillAsync("Bearer ");
        await _s.ById("headers-secret-0").SelectOptionAsync("boleto_token");
        await Assertions.Expect(_s.ById("headers-value-0")).ToHaveValueAsync("Bearer {{ secrets.boleto_token }}");

        string[] keys = ["customer[name]", "customer[cpf]", "contacts[0][emails][0][email]", "source"];
        for (var i = 0; i < keys.Length; i++)
        {
            await _s.ById("body-add").ClickAsync();
            await _s.ById($"body-key-{i}").FillAsync(keys[i]);
        }

        await _s.ById("body-mode-0").ClickAsync();
        await _s.ById("body-field-0").SelectOptionAsync("name");
        await _s.ById("body-mode-1").ClickAsync();
        await _s.ById("body-field-1").SelectOptionAsync("cpf");
        await _s.ById("body-value-2").FillAsync("ana@example.com");
        await _s.ById("body-value-3").FillAsync("bot");
        await _s.ById("sample-name").FillAsync("Ana");
        await _s.ById("sample-cpf").FillAsync(Cpf);

        var expected = JsonNode.Parse($$"""{"customer":{"name":"Ana","cpf":"{{CpfDigits}}"},"contacts":[{"emails":[{"email":"ana@example.com"}]}],"source":"bot"}""");
        await Assertions.Expect(_s.ById("integration-preview")).ToHaveTextAsync(expected!.ToJsonString(new() { WriteIndented = true }), new() { Timeout = EditorSession.Timeout });
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(await _s.ById("integration-preview").TextContentAsync() ?? "")));

        // The partner's documented example has the same shape as what the rows build.
        await _s.ById("integration-example").FillAsync("""{"customer":{"name":"x","cpf":"1"},"contacts":[{"emails":[{"email":"e"}]}],"source":"s"}""");
        await _s.ExpectTextAsync("integration-differences", "mesma estrutura");

        await _s.ById("block-panel").EvaluateAsync("panel => panel.scrollTop = 0");
        await page.ScreenshotAsync(new() { Path = EditorSession.ScreenshotPath("integration-form.png") });

        // Test sends it for real: status, body, and a click on the url puts its placeholder into the message.
        await _s.ById("integration-test").ClickAsync();
        await _s.ExpectTextAsync("test-status", "200");
        await _s.ExpectTextAsync("test-body", $"https://pay.example/b/{CpfDigits}");
        await _s.ExpectVisibleAsync("test-time");
        await _s.ById("integration-message").FillAsync("Seu boleto: ");
        await _s.ById("json-value-data[url]").ClickAsync();
        await Assertions.Expect(_s.ById("integration-message")).ToHaveValueAsync("Seu boleto: {data[url]}");
        var sent = Assert.Single(_s.Upstream.Bodies);
        Assert.True(JsonNode.DeepEquals(expected, sent), sent?.ToJsonString());

        // The mapping script runs against the test's response.
        await page.Locator("[data-testid=script-editor] .cm-content").ClickAsync();
        await page.Keyboard.InsertTextAsync("log('link ' + response.body.data.url);\nsetVar('link', response.body.data.url);");
        await _s.ById("script-run").ClickAsync();
        await _s.ExpectTextAsync("script-log", $"link https://pay.example/b/{CpfDigits}");
        await _s.ExpectTextAsync("script-outcome", "success");

        await _s.ById("test-result").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = EditorSession.ScreenshotPath("integration-test.png") });

        // Ctrl+S saves; positions travel in each block's "ui" and exits as drawn.
        await page.Keyboard.PressAsync("Control+s");
        await _s.ExpectTextAsync("editor-status", "Fluxo salvo");
        await Assertions.Expect(_s.ById("unsaved")).ToHaveCountAsync(0);
        var flow = await _s.GetJsonAsync("/api/flows/segunda-via");
        Assert.Equal("message-1", (string?)flow["start"]);
        var blocks = flow["blocks"]!.AsArray().ToDictionary(b => (string)b!["id"]!);
        Assert.Equal(5, blocks.Count);
        Assert.All(blocks.Values, b => Assert.NotNull(b!["ui"]?["x"]));
        Assert.Equal("question-1", (string?)blocks["message-1"]!["next"]);
        Assert.Equal("end-1", (string?)blocks["integration-1"]!["exits"]!["success"]);
        Assert.Equal("transfer-1", (string?)blocks["integration-1"]!["exits"]!["failure"]);
        Assert.Equal("Seu boleto: {data[url]}", (string?)blocks["integration-1"]!["config"]!["message"]);

        await _s.ClickEmptyCanvasAsync();
        await page.Locator(".react-flow__controls-fitview").ClickAsync();
        await page.ScreenshotAsync(new() { Path = EditorSession.ScreenshotPath("canvas.png") });

        // The simulator chats through the conversation endpoint and lights the current block.
        await _s.ById("simulate").ClickAsync();
        await _s.ById("sim-name").FillAsync("Ana");
        await _s.ById("sim-input").FillAsync("oi");
        await _s.ById("sim-input").PressAsync("Enter");
        await _s.ExpectTextAsync("sim-chat", "Qual é o seu CPF?");
        await _s.ExpectTextAsync("sim-block", "question-1");
        await Assertions.Expect(_s.ById("node-question-1")).ToHaveAttributeAsync("data-highlighted", "true");
        await _s.ById("sim-input").FillAsync(Cpf);
        await _s.ById("sim-send").ClickAsync();
        await _s.ExpectTextAsync("sim-chat", $"Seu boleto: https://pay.example/b/{CpfDigits}");
        await _s.ExpectTextAsync("sim-chat", "Obrigado!");
        await _s.ExpectTextAsync("sim-field-cpf", CpfDigits);
        await page.ScreenshotAsync(new() { Path = EditorSession.ScreenshotPath("simulator.png") });
        Assert.Empty(_s.ConsoleErrors);
    }

    [Fact]
    public async Task A_validation_error_from_the_server_shows_on_the_block_and_the_list_focuses_it()
    {
        await _s.Page.GotoAsync("/#/flow/com-erro?name=Com%20erro");
        await _s.DropBlockAsync("question", 80, 60);
        await _s.DropBlockAsync("message", 80, 260);
        await _s.ById("cfg-text").FillAsync("Até logo");
        await _s.ClickEmptyCanvasAsync();

        // The question has neither text nor field: the host answers 400 with errors for that block.
        await _s.Page.Keyboard.PressAsync("Control+s");
        await _s.ExpectVisibleAsync("node-error-question-1");
        await _s.ExpectTextAsync("errors-list", "config.text");
        await Assertions.Expect(_s.ById("node-error-message-1")).ToHaveCountAsync(0);
        await _s.ExpectVisibleAsync("unsaved");

        await _s.ById("error-item-0").ClickAsync();
        await _s.ExpectVisibleAsync("block-panel-question-1");
        await _s.ExpectVisibleAsync("error-cfg-text");
        var notSaved = await _s.Api.GetAsync("/api/flows/com-erro");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, notSaved.StatusCode);
    }

    [Fact]
    public async Task A_plugin_block_gets_a_form_from_its_schema_and_saves()
    {
        await _s.Page.GotoAsync("/#/flow/saudacao?name=Sauda%C3%A7%C3%A3o");
        // Third-party blocks sit in the palette under their plugin.
        await _s.ExpectVisibleAsync("palette-group-BotFlow.Samples.Greeting");
        await _s.DropBlockAsync("samples.greeting", 80, 60);
        await _s.ExpectVisibleAsync("block-panel-greeting-1");
        await _s.ById("cfg-morningText").FillAsync("Bom dia!");
        await _s.ById("cfg-afternoonText").FillAsync("Boa tarde!");
        await _s.ById("cfg-eveningText").FillAsync("Boa noite!");
        await _s.ById("cfg-timeZone").FillAsync("America/Sao_Paulo");
        await _s.ExpectVisibleAsync("exit-greeting-1-morning");

        // A core block's schema form with an expression.
        await _s.DropBlockAsync("condition", 80, 300);
        await _s.ById("cfg-expression").FillAsync("contact.name != empty");
        await _s.ById("save-flow").ClickAsync();
        await _s.ExpectTextAsync("editor-status", "Fluxo salvo");

        var flow = await _s.GetJsonAsync("/api/flows/saudacao");
        var greeting = flow["blocks"]!.AsArray().Single(b => (string?)b!["id"] == "greeting-1")!;
        Assert.Equal("samples.greeting", (string?)greeting["type"]);
        Assert.Equal("Bom dia!", (string?)greeting["config"]!["morningText"]);
        Assert.Equal("Boa noite!", (string?)greeting["config"]!["eveningText"]);
        var condition = flow["blocks"]!.AsArray().Single(b => (string?)b!["id"] == "condition-1")!;
        Assert.Equal("contact.name != empty", (string?)condition["config"]!["expression"]);

        // Reopening the flow shows the blocks where they were left, with their config in the form.
        await _s.Page.ReloadAsync();
        await _s.ById("node-greeting-1").ClickAsync();
        await Assertions.Expect(_s.ById("cfg-morningText")).ToHaveValueAsync("Bom dia!");
    }

    [Fact]
    public async Task Pasting_an_example_json_fills_the_body_rows_with_bracket_keys()
    {
        await _s.Page.GotoAsync("/#/flow/rd?name=RD");
        await _s.DropBlockAsync("integration", 80, 60);
        await _s.ById("integration-url").FillAsync("https://crm.example/api/v1/deals");
        await _s.ById("integration-example").FillAsync("""{"deal":{"name":"x"},"contacts":[{"emails":[{"email":"a@b.c"}]}],"amount":10,"active":true}""");
        await _s.ById("integration-fill-rows").ClickAsync();

        await Assertions.Expect(_s.ById("body-key-0")).ToHaveValueAsync("deal[name]");
        await Assertions.Expect(_s.ById("body-key-1")).ToHaveValueAsync("contacts[0][emails][0][email]");
        await Assertions.Expect(_s.ById("body-key-2")).ToHaveValueAsync("amount");
        await Assertions.Expect(_s.ById("body-type-2")).ToHaveValueAsync("number");
        await Assertions.Expect(_s.ById("body-type-3")).ToHaveValueAsync("boolean");
        await _s.ExpectTextAsync("integration-differences", "mesma estrutura");

        // Removing a row is reported as a difference from the example.
        await _s.ById("body-remove-0").ClickAsync();
        await _s.ExpectTextAsync("integration-differences", "deal");
        await _s.ExpectTextAsync("integration-differences", "falta no JSON montado");
    }
}
