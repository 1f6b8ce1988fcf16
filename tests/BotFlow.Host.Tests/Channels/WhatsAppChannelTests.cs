using System.Net;
using BotFlow.Host.Tests.Infrastructure;
using BotFlow.Host.Tests.Jobs;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Tests.Channels.WhatsAppPayloads;

namespace BotFlow.Host.Tests.Channels;

[Collection(JobsCollection.Name)]
public sealed class WhatsAppChannelTests
{
    private const string WaId = "5511999990000";

    private const string TwoMessagesFlow = """
        { "id": "dois", "name": "Dois", "start": "a",
          "blocks": [ { "id": "a", "type": "message", "config": { "text": "primeira" }, "next": "b" },
                      { "id": "b", "type": "message", "config": { "text": "segunda" } } ] }
        """;

    private const string MenuFlow = """
        { "id": "menu", "name": "Menu", "start": "m",
          "blocks": [ { "id": "m", "type": "menu", "config": { "text": "Escolha:\n1 - Boleto\n2 - Atendente",
                          "options": [ { "key": "1", "label": "Boleto" }, { "key": "2", "label": "Falar com atendente" } ] },
                        "exits": { "1": "boleto", "2": "humano" } },
                      { "id": "boleto", "type": "end", "config": { "text": "Saída boleto" } },
                      { "id": "humano", "type": "end", "config": { "text": "Saída atendente, {{ contact.name }}" } } ] }
        """;

    private static BotFlowApp App() => JobsApps.Create().Set("BotFlow:Channels:BackoffSeconds:0", "1");

    private static List<string> SentTexts(FakeProvider graph) =>
        graph.Accepted.Select(r => r.Json).Select(j => (string?)j.SelectToken("text.body") ?? (string)j.SelectToken("interactive.body.text")!).ToList();

    private static async Task<JArray> MessagesAsync(BotFlowApp app, string contactId) =>
        (JArray)(await BotFlowApp.ReadAsync(await app.CreateClient().GetAsync($"/api/contacts/{contactId}/messages"), expectSuccess: true))["items"]!;

    [Fact]
    public async Task Handshake_echoes_the_challenge_only_for_the_configured_verify_token()
    {
        await using var graph = await FakeProvider.StartAsync();
        using var app = new BotFlowApp();
        await app.PutFlowAsync(TwoMessagesFlow);
        await ConnectAsync(app, graph, "dois");
        var client = app.CreateClient();

        var ok = await client.GetAsync($"/channels/wa/webhook?hub.mode=subscribe&hub.verify_token={VerifyToken}&hub.challenge=1158201444");
        var wrong = await client.GetAsync("/channels/wa/webhook?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("1158201444", await ok.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Signed_text_webhook_runs_the_boleto_flow_and_the_graph_api_receives_the_link_for_the_right_contact()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var graph = await FakeProvider.StartAsync();
        using var app = App();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        // The partner needs an e-mail, which WhatsApp does not give: the CRM registered it through the test channel of another flow.
        await app.PutFlowAsync("""{ "id": "cadastro", "name": "Cadastro", "start": "ok", "blocks": [ { "id": "ok", "type": "end", "config": {} } ] }""");
        await app.SendAsync("cadastro", WaId, "cadastro", new { email = "ana@example.com" });
        await ConnectAsync(app, graph, "segunda-via-boleto");

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(app, Text(WaId, "Ana", "wamid.IN1", "oi"))).StatusCode);
        await JobsApps.WaitUntilAsync(() => Task.FromResult(graph.Accepted.Count == 2), "the greeting and the CPF question");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(app, Text(WaId, "Ana", "wamid.IN2", "529.982.247-25"))).StatusCode);
        await JobsApps.WaitUntilAsync(() => Task.FromResult(graph.Accepted.Count == 4), "the boleto link and the menu");

        Assert.Equal(["Olá, Ana! Vou buscar a segunda via do seu boleto.", "Qual é o seu CPF?", "Seu boleto: https://pay.example/b/52998224725",
            "Posso ajudar em algo mais?\n1 - Falar com o financeiro\n2 - Encerrar"], SentTexts(graph));
        Assert.All(graph.Accepted, r => Assert.Equal(WaId, (string?)r.Json["to"]));
        Assert.All(graph.Accepted, r => Assert.Equal($"/{FakeProvider.PhoneNumberId}/messages", r.Path));
        Assert.All(graph.Accepted, r => Assert.Equal("whatsapp", (string?)r.Json["messaging_product"]));
        var contact = await BotFlowApp.ReadAsync(await app.CreateClient().GetAsync($"/api/contacts/{WaId}"), expectSuccess: true);
        Assert.Equal("Ana", (string?)contact["fields"]!["name"]);
        Assert.Equal(WaId, (string?)contact["fields"]!["phone"]);
        await JobsApps.WaitUntilAsync(async () => (await MessagesAsync(app, WaId)).Where(m => (string?)m["direction"] == "out" && (string?)m["channel"] == "wa")
            .All(m => (string?)m["status"] == "sent"), "every reply marked sent");
    }

    [Fact]
    public async Task Webhook_with_a_wrong_or_missing_signature_answers_401_and_stores_nothing()
    {
        await using var graph = await FakeProvider.StartAsync();
        using var app = new BotFlowApp();
        await app.PutFlowAsync(TwoMessagesFlow);
        await ConnectAsync(app, graph, "dois");
        var body = Text(WaId, "Ana", "wamid.BAD", "oi");

        var wrong = await PostAsync(app, body, Sign(body, "not-the-app-secret"));
        var tampered = await PostAsync(app, body.Replace("oi", "tchau", StringComparison.Ordinal), Sign(body));
        var missing = await PostAsync(app, body, "");

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], new[] { wrong.StatusCode, tampered.StatusCode, missing.StatusCode });
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync($"/api/contacts/{WaId}")).StatusCode);
    }

    [Fact]
    public async Task The_same_webhook_delivered_twice_is_answered_once()
    {
        await using var graph = await FakeProvider.StartAsync();
        using var app = App();
        await app.PutFlowAsync(TwoMessagesFlow);
        await ConnectAsync(app, graph, "dois");
        var body = Text(WaId, "Ana", "wamid.TWICE", "oi");

        var first = await BotFlowApp.ReadAsync(await PostAsync(app, body), expectSuccess: true);
        var second = await BotFlowApp.ReadAsync(await PostAsync(app, body), expectSuccess: true);
        await JobsApps.WaitUntilAsync(() => Task.FromResult(graph.Accepted.Count >= 2), "the replies");
        await Task.Delay(1500); // a second, wrong delivery would arrive by now

        Assert.Equal((1, 0), ((int)first["received"]!, (int)first["duplicates"]!));
        Assert.Equal((0, 1), ((int)second["received"]!, (int)second["duplicates"]!));
        Assert.Equal(["primeira", "segunda"], SentTexts(graph));
        Assert.Single(await MessagesAsync(app, WaId), m => (string?)m["direction"] == "in");
    }

    [Fact]
    public async Task A_menu_is_sent_as_interactive_buttons_and_a_button_reply_takes_that_options_exit()
    {
        await using var graph = await FakeProvider.StartAsync();
        using var app = App();
        await app.PutFlowAsync(MenuFlow);
        await ConnectAsync(app, graph, "menu");

        await PostAsync(app, Text(WaId, "Ana", "wamid.M1", "oi"));
        await JobsApps.WaitUntilAsync(() => Task.FromResult(graph.Accepted.Count == 1), "the menu");
        var menu = graph.Accepted[0].Json;
        // The button's title differs from the key: only the reply id can pick the exit.
        await PostAsync(app, ButtonReply(WaId, "Ana", "wamid.M2", "2", "Falar com atendente"));
        await JobsApps.WaitUntilAsync(() => Task.FromResult(graph.Accepted.Count == 2), "the answer to the button");

        Assert.Equal("interactive", (string?)menu["type"]);
        Assert.Equal("button", (string?)menu.SelectToken("interactive.type"));
        Assert.Equal("Escolha:\n1 - Boleto\n2 - Atendente", (string?)menu.SelectToken("interactive.body.text"));
        Assert.Equal(["1", "2"], menu.SelectToken("interactive.action.buttons")!.Select(b => (string)b.SelectToken("reply.id")!));
        Assert.Equal(["Boleto", "Falar com atendente"], menu.SelectToken("interactive.action.buttons")!.Select(b => (string)b.SelectToken("reply.title")!));
        Assert.All(menu.SelectToken("interactive.action.buttons")!, b => Assert.Equal("reply", (string?)b["type"]));
        Assert.Equal("Saída atendente, Ana", (string?)graph.Accepted[1].Json.SelectToken("text.body"));
    }

    [Fact]
    public async Task A_graph_api_failing_twice_delivers_the_message_once_and_still_before_the_next_one()
    {
        await using var graph = await FakeProvider.StartAsync();
        using var app = App();
        await app.PutFlowAsync(TwoMessagesFlow);
        await ConnectAsync(app, graph, "dois");
        graph.FailNext(2, 500);

        await PostAsync(app, Text(WaId, "Ana", "wamid.R1", "oi"));
        await JobsApps.WaitUntilAsync(() => Task.FromResult(graph.Accepted.Count == 2), "both messages after the retries");

        Assert.Equal(["primeira", "primeira", "primeira", "segunda"], graph.Requests.Select(r => (string)r.Json.SelectToken("text.body")!));
        Assert.Equal(["primeira", "segunda"], SentTexts(graph));
        var outgoing = (await MessagesAsync(app, WaId)).Where(m => (string?)m["direction"] == "out").ToList();
        Assert.Equal([3, 1], outgoing.Select(m => (int)m["attempts"]!));
        Assert.All(outgoing, m => Assert.Equal("sent", (string?)m["status"]));
    }

    [Fact]
    public async Task A_message_the_provider_refuses_ends_failed_with_its_error_and_the_next_one_still_goes()
    {
        await using var graph = await FakeProvider.StartAsync();
        using var app = App();
        await app.PutFlowAsync(TwoMessagesFlow);
        await ConnectAsync(app, graph, "dois");
        graph.FailNext(1, 400, """{"error":{"message":"(#131026) Message undeliverable","type":"OAuthException","code":131026,"error_data":{"details":"Receiver is incapable of receiving this message"}}}""");

        await PostAsync(app, Text(WaId, "Ana", "wamid.F1", "oi"));
        await JobsApps.WaitUntilAsync(() => Task.FromResult(graph.Accepted.Count == 1), "the second message");

        Assert.Equal(["segunda"], SentTexts(graph));
        await JobsApps.WaitUntilAsync(async () => (await MessagesAsync(app, WaId)).Any(m => (string?)m["status"] == "failed"), "the failed status");
        var failed = (await MessagesAsync(app, WaId)).Single(m => (string?)m["status"] == "failed");
        Assert.Equal("primeira", (string?)failed["text"]);
        Assert.Contains("Receiver is incapable of receiving this message", (string?)failed["error"]);
        var channels = (JArray)(await BotFlowApp.ReadAsync(await app.CreateClient().GetAsync("/api/channels"), expectSuccess: true))["items"]!;
        Assert.Equal(1, (int)channels.Single()["failed"]!);
    }

    [Fact]
    public async Task Status_callbacks_move_the_outgoing_message_to_delivered_and_read()
    {
        await using var graph = await FakeProvider.StartAsync();
        using var app = App();
        await app.PutFlowAsync(TwoMessagesFlow);
        await ConnectAsync(app, graph, "dois");
        await PostAsync(app, Text(WaId, "Ana", "wamid.S1", "oi"));
        await JobsApps.WaitUntilAsync(async () => (await MessagesAsync(app, WaId)).Count(m => (string?)m["status"] == "sent") == 2, "both sent");

        await PostAsync(app, Status(WaId, "wamid.TEST1", "read"));
        await PostAsync(app, Status(WaId, "wamid.TEST1", "delivered")); // late: must not move it back
        await PostAsync(app, Status(WaId, "wamid.TEST2", "delivered"));

        var outgoing = (await MessagesAsync(app, WaId)).Where(m => (string?)m["direction"] == "out").ToList();
        Assert.Equal(["read", "delivered"], outgoing.Select(m => (string)m["status"]!));
    }

    [Fact]
    public async Task A_channel_with_a_secret_value_instead_of_a_secret_name_is_refused()
    {
        using var app = new BotFlowApp();
        await app.PutFlowAsync(TwoMessagesFlow);

        var response = await app.CreateClient().PutAsync("/api/channels/wa", BotFlowApp.Json("""
            { "type": "whatsapp", "flowId": "dois", "settings": { "phoneNumberId": "1", "accessToken": "EAAG token with spaces", "appSecret": "a", "verifyToken": "v" } }
            """));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await BotFlowApp.ReadAsync(response);
        Assert.Contains(problem["errors"]!, e => (string?)e["path"] == "settings.accessToken");
    }
}
