using System.Net;
using System.Security.Cryptography;
using System.Text;
using BotFlow.Host.Tests.Infrastructure;
using BotFlow.Host.Tests.Jobs;

namespace BotFlow.Host.Tests.Channels;

[Collection(JobsCollection.Name)]
public sealed class WebhookChannelTests
{
    private const string InboundKey = "crm-inbound-key-77";
    private const string OutboundKey = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private const string MenuFlow = """
        { "id": "site", "name": "Site", "start": "m",
          "blocks": [ { "id": "m", "type": "menu", "config": { "text": "Olá, {{ contact.name }}! 1 - Planos 2 - Sair",
                          "options": [ { "key": "planos", "label": "Planos" }, { "key": "sair", "label": "Sair" } ] },
                        "exits": { "planos": "planos", "sair": "fim" } },
                      { "id": "planos", "type": "end", "config": { "text": "Nossos planos: básico e pro." } },
                      { "id": "fim", "type": "end", "config": { "text": "Até logo!" } } ] }
        """;

    private static string Sign(string body, string key = InboundKey) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(body)));

    private static async Task<HttpResponseMessage> PostAsync(BotFlowApp app, string body, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/channels/site/webhook") { Content = BotFlowApp.Json(body) };
        request.Headers.Add("X-BotFlow-Signature", signature);
        return await app.CreateClient().SendAsync(request);
    }

    private static async Task ConnectAsync(BotFlowApp app, FakeProvider callback)
    {
        var client = app.CreateClient();
        (await client.PutAsync("/api/secrets/site_in", BotFlowApp.Json($$"""{"value":"{{InboundKey}}"}"""))).EnsureSuccessStatusCode();
        (await client.PutAsync("/api/secrets/site_out", BotFlowApp.Json($$"""{"value":"{{OutboundKey}}"}"""))).EnsureSuccessStatusCode();
        await BotFlowApp.ReadAsync(await client.PutAsync("/api/channels/site", BotFlowApp.Json($$"""
            { "type": "webhook", "flowId": "site", "settings": { "callbackUrl": "{{callback.BaseUrl}}/botflow", "inboundSecret": "site_in", "outboundSecret": "site_out" } }
            """)), expectSuccess: true);
    }

    /// <summary>What a receiver does per standardwebhooks.com: HMAC-SHA256 of "{id}.{timestamp}.{body}" with the base64 key after whsec_.</summary>
    private static bool StandardWebhookValid(FakeProvider.Received request)
    {
        var id = request.Headers["webhook-id"];
        var timestamp = request.Headers["webhook-timestamp"];
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(OutboundKey["whsec_".Length..]),
            Encoding.UTF8.GetBytes($"{id}.{timestamp}.{request.Body}")));
        var fresh = Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture)) < 300;
        return fresh && request.Headers["webhook-signature"].Split(' ').Contains(expected);
    }

    [Fact]
    public async Task A_signed_conversation_goes_end_to_end_and_every_callback_carries_a_valid_standard_webhooks_signature()
    {
        await using var callback = await FakeProvider.StartAsync();
        using var app = JobsApps.Create();
        await app.PutFlowAsync(MenuFlow);
        await ConnectAsync(app, callback);

        var first = """{ "contactId": "visitor-42", "text": "oi", "messageId": "m-1", "fields": { "name": "Bia" } }""";
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(app, first, Sign(first))).StatusCode);
        await JobsApps.WaitUntilAsync(() => Task.FromResult(callback.Accepted.Count == 1), "the menu");
        var choice = """{ "contactId": "visitor-42", "text": "Planos", "messageId": "m-2", "optionKey": "planos" }""";
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(app, choice, Sign(choice))).StatusCode);
        await JobsApps.WaitUntilAsync(() => Task.FromResult(callback.Accepted.Count == 2), "the answer");

        var (menu, answer) = (callback.Accepted[0], callback.Accepted[1]);
        Assert.Equal("/botflow", menu.Path);
        Assert.Equal("Olá, Bia! 1 - Planos 2 - Sair", (string?)menu.Json["text"]);
        Assert.Equal("visitor-42", (string?)menu.Json["contactId"]);
        Assert.Equal(["planos", "sair"], menu.Json["options"]!.Select(o => (string)o["key"]!));
        Assert.Equal("Nossos planos: básico e pro.", (string?)answer.Json["text"]);
        Assert.True(StandardWebhookValid(menu) && StandardWebhookValid(answer), "the callbacks' webhook-signature does not verify");
        Assert.Equal((string?)menu.Json["id"], menu.Headers["webhook-id"]);
        Assert.NotEqual(menu.Headers["webhook-id"], answer.Headers["webhook-id"]);
    }

    [Fact]
    public async Task An_inbound_webhook_signed_with_another_key_answers_401_and_stores_nothing()
    {
        await using var callback = await FakeProvider.StartAsync();
        using var app = new BotFlowApp();
        await app.PutFlowAsync(MenuFlow);
        await ConnectAsync(app, callback);
        var body = """{ "contactId": "visitor-13", "text": "oi", "messageId": "m-9" }""";

        var wrong = await PostAsync(app, body, Sign(body, "someone-elses-key"));
        var garbage = await PostAsync(app, body, "sha256=zz");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync("/api/contacts/visitor-13")).StatusCode);
    }

    [Fact]
    public async Task A_webhook_for_a_channel_that_does_not_exist_answers_404()
    {
        using var app = new BotFlowApp();

        var response = await PostAsync(app, "{}", Sign("{}"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private const string EchoFlow = """
        { "id": "site", "name": "Eco", "start": "q",
          "blocks": [ { "id": "q", "type": "question", "config": { "text": "?", "field": "name" }, "next": "m" },
                      { "id": "m", "type": "message", "config": { "text": "={{ contact.name }}" }, "next": "q" } ] }
        """;

    [Fact]
    public async Task A_hundred_concurrent_messages_of_one_contact_are_delivered_once_each_in_outbox_order()
    {
        await using var callback = await FakeProvider.StartAsync();
        using var app = JobsApps.Create().Set("BotFlow:RateLimits:ConversationPerContactPerMinute", "1000");
        await app.PutFlowAsync(EchoFlow);
        await ConnectAsync(app, callback);

        var sends = Enumerable.Range(0, 100).Select(async i =>
        {
            var body = $$"""{ "contactId": "burst", "text": "m{{i}}", "messageId": "burst-{{i}}" }""";
            return (await PostAsync(app, body, Sign(body))).StatusCode;
        });
        Assert.All(await Task.WhenAll(sends), s => Assert.Equal(HttpStatusCode.OK, s));
        var log = (Newtonsoft.Json.Linq.JArray)(await BotFlowApp.ReadAsync(await app.CreateClient().GetAsync("/api/contacts/burst/messages?limit=1000"), expectSuccess: true))["items"]!;
        var outbox = log.Where(m => (string?)m["direction"] == "out").Select(m => (string)m["text"]!).ToList();
        await JobsApps.WaitUntilAsync(() => Task.FromResult(callback.Accepted.Count >= outbox.Count), "every message to be delivered", seconds: 60);
        await Task.Delay(500);

        // Delivered exactly once each, and never out of the order the steps wrote them.
        Assert.Equal(outbox, callback.Accepted.Select(r => (string)r.Json["text"]!).ToList());
        Assert.Equal(100, log.Count(m => (string?)m["direction"] == "in"));
    }

    [Fact]
    public async Task Messages_committed_by_a_host_that_stopped_before_delivering_are_delivered_once_after_the_restart()
    {
        await using var callback = await FakeProvider.StartAsync();
        var folder = BotFlowApp.NewFolder();
        try
        {
            // A host whose steps commit but whose delivery never runs: exactly the state a crash between the two leaves.
            using (var first = new BotFlowApp(folder))
            {
                await first.PutFlowAsync(EchoFlow);
                await ConnectAsync(first, callback);
                foreach (var i in Enumerable.Range(0, 3))
                {
                    var body = $$"""{ "contactId": "crash", "text": "m{{i}}", "messageId": "crash-{{i}}" }""";
                    Assert.Equal(HttpStatusCode.OK, (await PostAsync(first, body, Sign(body))).StatusCode);
                }
            }

            Assert.Empty(callback.Accepted);
            using var second = JobsApps.Create(folder);
            second.CreateClient(); // starts the host: its start-up sweep finds the pending messages
            // The first message starts the conversation (it is not an answer): 1 + 2 + 2 replies.
            await JobsApps.WaitUntilAsync(() => Task.FromResult(callback.Accepted.Count >= 5), "the pending messages after the restart", seconds: 60);
            await Task.Delay(1000);

            Assert.Equal(["?", "=m1", "?", "=m2", "?"], callback.Accepted.Select(r => (string)r.Json["text"]!));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
