using System.Net;
using BotFlow.Host.Tests.Infrastructure;
using BotFlow.Host.Tests.Jobs;

namespace BotFlow.Host.Tests.Channels;

[Collection(JobsCollection.Name)]
public sealed class TelegramChannelTests
{
    private const string SecretToken = "tg-webhook-secret-9z";

    private const string MenuFlow = """
        { "id": "tg", "name": "Telegram", "start": "m",
          "blocks": [ { "id": "m", "type": "menu", "config": { "text": "Olá, {{ contact.name }}! Escolha:",
                          "options": [ { "key": "boleto", "label": "2ª via de boleto" }, { "key": "sair", "label": "Sair" } ] },
                        "exits": { "boleto": "b", "sair": "fim" } },
                      { "id": "b", "type": "end", "config": { "text": "Seu boleto está a caminho." } },
                      { "id": "fim", "type": "end", "config": { "text": "Até logo!" } } ] }
        """;

    private static async Task ConnectAsync(BotFlowApp app, FakeProvider telegram)
    {
        var client = app.CreateClient();
        (await client.PutAsync("/api/secrets/tg_token", BotFlowApp.Json($$"""{"value":"{{FakeProvider.TelegramToken}}"}"""))).EnsureSuccessStatusCode();
        (await client.PutAsync("/api/secrets/tg_secret", BotFlowApp.Json($$"""{"value":"{{SecretToken}}"}"""))).EnsureSuccessStatusCode();
        await BotFlowApp.ReadAsync(await client.PutAsync("/api/channels/telegram", BotFlowApp.Json($$"""
            { "type": "telegram", "flowId": "tg", "settings": { "botToken": "tg_token", "secretToken": "tg_secret", "apiBaseUrl": "{{telegram.BaseUrl}}" } }
            """)), expectSuccess: true);
    }

    private static async Task<HttpResponseMessage> PostAsync(BotFlowApp app, string update, string? secret = SecretToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/channels/telegram/webhook") { Content = BotFlowApp.Json(update) };
        if (secret is not null)
        {
            request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", secret);
        }

        return await app.CreateClient().SendAsync(request);
    }

    [Fact]
    public async Task A_telegram_chat_gets_the_menu_as_an_inline_keyboard_and_a_button_press_takes_its_exit()
    {
        await using var telegram = await FakeProvider.StartAsync();
        using var app = JobsApps.Create();
        await app.PutFlowAsync(MenuFlow);
        await ConnectAsync(app, telegram);

        var text = """{ "update_id": 9001, "message": { "message_id": 1, "from": { "id": 777, "first_name": "Caio", "last_name": "Souza" }, "chat": { "id": 777, "type": "private" }, "date": 1764000000, "text": "/start" } }""";
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(app, text)).StatusCode);
        await JobsApps.WaitUntilAsync(() => Task.FromResult(telegram.Accepted.Count == 1), "the menu");

        var menu = telegram.Accepted[0];
        Assert.Equal($"/bot{FakeProvider.TelegramToken}/sendMessage", menu.Path);
        Assert.Equal("777", (string?)menu.Json["chat_id"]);
        Assert.Equal("Olá, Caio Souza! Escolha:", (string?)menu.Json["text"]);
        Assert.Equal(["boleto", "sair"], menu.Json["reply_markup"]!["inline_keyboard"]!.Select(row => (string)row[0]!["callback_data"]!));

        var press = """{ "update_id": 9002, "callback_query": { "id": "cb1", "from": { "id": 777, "first_name": "Caio", "last_name": "Souza" }, "message": { "message_id": 2, "chat": { "id": 777, "type": "private" } }, "data": "boleto" } }""";
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(app, press)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(app, press)).StatusCode); // Telegram redelivers: handled once
        await JobsApps.WaitUntilAsync(() => Task.FromResult(telegram.Accepted.Count == 2), "the answer");
        await Task.Delay(500);

        Assert.Equal(2, telegram.Accepted.Count);
        Assert.Equal("Seu boleto está a caminho.", (string?)telegram.Accepted[1].Json["text"]);
        var contact = await BotFlowApp.ReadAsync(await app.CreateClient().GetAsync("/api/contacts/777"), expectSuccess: true);
        Assert.Equal("Caio Souza", (string?)contact["fields"]!["name"]);
    }

    [Fact]
    public async Task A_webhook_without_the_secret_token_is_refused_and_nothing_is_stored()
    {
        await using var telegram = await FakeProvider.StartAsync();
        using var app = JobsApps.Create();
        await app.PutFlowAsync(MenuFlow);
        await ConnectAsync(app, telegram);
        var text = """{ "update_id": 1, "message": { "message_id": 1, "from": { "id": 555, "first_name": "X" }, "chat": { "id": 555, "type": "private" }, "date": 1, "text": "oi" } }""";

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(app, text, secret: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(app, text, secret: "wrong")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync("/api/contacts/555")).StatusCode);
    }
}
