using System.Net;
using System.Security.Cryptography;
using System.Text;
using BotFlow.Host.Tests.Infrastructure;
using BotFlow.Host.Tests.Jobs;

namespace BotFlow.Host.Tests.Channels;

[Collection(JobsCollection.Name)]
public sealed class HandoffEventTests
{
    private const string EventKey = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private const string SupportFlow = """
        { "id": "suporte", "name": "Suporte", "start": "m",
          "blocks": [ { "id": "m", "type": "menu", "config": { "text": "Olá! 1 - Financeiro 2 - Sair",
                          "options": [ { "key": "1", "label": "Financeiro" }, { "key": "2", "label": "Sair" } ] },
                        "exits": { "1": "fin", "2": "fim" } },
                      { "id": "fin", "type": "transfer", "config": { "department": "Financeiro", "text": "Vou te passar para o financeiro." } },
                      { "id": "fim", "type": "end", "config": { "text": "Até logo!" } } ] }
        """;

    /// <summary>A host with jobs on whose only event subscriber is <paramref name="receiver"/>, signing with <see cref="EventKey"/>.</summary>
    private static async Task<BotFlowApp> StartAsync(FakeProvider receiver)
    {
        var app = JobsApps.Create()
            .Set("BotFlow:Events:Subscribers:0:Url", receiver.BaseUrl + "/helpdesk")
            .Set("BotFlow:Events:Subscribers:0:SecretName", "helpdesk_key")
            .Set("BotFlow:Channels:BackoffSeconds:0", "1");
        (await app.CreateClient().PutAsync("/api/secrets/helpdesk_key", BotFlowApp.Json($$"""{"value":"{{EventKey}}"}"""))).EnsureSuccessStatusCode();
        await app.PutFlowAsync(SupportFlow);
        return app;
    }

    /// <summary>What a receiver does per standardwebhooks.com, with the key the test gave the host.</summary>
    private static bool SignatureValid(FakeProvider.Received request)
    {
        var id = request.Headers["webhook-id"];
        var timestamp = request.Headers["webhook-timestamp"];
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(EventKey["whsec_".Length..]),
            Encoding.UTF8.GetBytes($"{id}.{timestamp}.{request.Body}")));
        return request.Headers["webhook-signature"].Split(' ').Contains(expected);
    }

    private static List<FakeProvider.Received> Events(FakeProvider receiver, string type) =>
        receiver.Accepted.Where(r => (string?)r.Json["type"] == type).ToList();

    [Fact]
    public async Task A_transfer_block_emits_a_signed_conversation_transferred_event_with_the_department_and_the_contacts_fields()
    {
        await using var receiver = await FakeProvider.StartAsync();
        using var app = await StartAsync(receiver);

        await app.SendAsync("suporte", "5511999990001", "oi", new { name = "Bia" });
        var answer = await app.SendAsync("suporte", "5511999990001", "1");
        await JobsApps.WaitUntilAsync(() => Task.FromResult(Events(receiver, "conversation.transferred").Count == 1), "the transferred event");

        Assert.Equal("transferred", (string?)answer["status"]);
        var transferred = Events(receiver, "conversation.transferred").Single();
        Assert.Equal("/helpdesk", transferred.Path);
        Assert.True(SignatureValid(transferred), "the event's webhook-signature does not verify with the subscriber's secret");
        Assert.Equal((string?)transferred.Json["id"], transferred.Headers["webhook-id"]);
        var data = transferred.Json["data"]!;
        Assert.Equal("Financeiro", (string?)data["department"]);
        Assert.Equal("suporte", (string?)data["flowId"]);
        Assert.Equal("5511999990001", (string?)data["contactId"]);
        Assert.Equal((string?)answer["conversationId"], (string?)data["conversationId"]);
        Assert.Equal("Bia", (string?)data["fields"]!["name"]);
    }

    [Fact]
    public async Task Messages_while_transferred_are_not_answered_but_forwarded_as_events_and_release_hands_the_contact_back_to_the_bot()
    {
        await using var receiver = await FakeProvider.StartAsync();
        using var app = await StartAsync(receiver);
        var client = app.CreateClient();
        await app.SendAsync("suporte", "5511999990002", "oi", new { name = "Caio" });
        await app.SendAsync("suporte", "5511999990002", "1");

        var silent = await app.SendAsync("suporte", "5511999990002", "alguém aí?");
        await JobsApps.WaitUntilAsync(() => Task.FromResult(Events(receiver, "conversation.message").Count == 1), "the forwarded message");
        var release = await client.PostAsync("/api/contacts/5511999990002/release", null);
        var releasedBody = await BotFlowApp.ReadAsync(release, expectSuccess: true);
        var afterRelease = await app.SendAsync("suporte", "5511999990002", "oi de novo");
        await JobsApps.WaitUntilAsync(() => Task.FromResult(Events(receiver, "conversation.ended").Count == 1), "the ended event");

        Assert.Empty(BotFlowApp.Replies(silent));
        Assert.Equal("transferred", (string?)silent["status"]);
        var forwarded = Events(receiver, "conversation.message").Single();
        Assert.True(SignatureValid(forwarded), "the forwarded message's signature does not verify");
        Assert.Equal("alguém aí?", (string?)forwarded.Json["data"]!["text"]);
        Assert.Equal("Financeiro", (string?)forwarded.Json["data"]!["department"]);
        Assert.Single(releasedBody["released"]!);
        Assert.Equal("released", (string?)Events(receiver, "conversation.ended").Single().Json["data"]!["reason"]);
        Assert.Equal(["Olá! 1 - Financeiro 2 - Sair"], BotFlowApp.Replies(afterRelease));
        Assert.Equal("waiting", (string?)afterRelease["status"]);
        // In order per contact: transferred, the forwarded message, then the end.
        Assert.Equal(["conversation.transferred", "conversation.message", "conversation.ended"], receiver.Accepted.Select(r => (string)r.Json["type"]!));
    }

    [Fact]
    public async Task Release_of_a_contact_that_does_not_exist_answers_404()
    {
        await using var receiver = await FakeProvider.StartAsync();
        using var app = await StartAsync(receiver);

        var response = await app.CreateClient().PostAsync("/api/contacts/nobody-here/release", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_receiver_answering_500_then_200_gets_the_event_once_with_the_same_webhook_id_on_the_retry()
    {
        await using var receiver = await FakeProvider.StartAsync();
        using var app = await StartAsync(receiver);
        receiver.FailNext(1, 500, """{"error":"helpdesk down"}""");

        await app.SendAsync("suporte", "5511999990003", "oi");
        await app.SendAsync("suporte", "5511999990003", "1");
        await JobsApps.WaitUntilAsync(() => Task.FromResult(receiver.Accepted.Count == 1), "the retried event");
        await Task.Delay(1500);

        var tries = receiver.Requests.ToList();
        Assert.Equal([500, 200], tries.Select(r => r.Status));
        Assert.Equal(tries[0].Headers["webhook-id"], tries[1].Headers["webhook-id"]);
        Assert.Equal(tries[0].Body, tries[1].Body);
        Assert.True(SignatureValid(tries[1]), "the retried event's signature does not verify");
        Assert.Single(receiver.Accepted);
    }

    [Fact]
    public async Task A_background_integration_that_finally_fails_emits_a_signed_integration_failed_event_without_secrets()
    {
        await using var receiver = await FakeProvider.StartAsync();
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = await StartAsync(receiver);
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        await app.PutFlowAsync(JobsApps.BoletoFlow(upstream, inline: 1, background: 1, backoff: "1"));
        // Every try fails, and the partner echoes the token back in its error.
        upstream.Next(2, 500, $$"""{"error":"token {{FakeUpstream.BoletoToken}} rejected"}""");

        await app.SendAsync("segunda-via-boleto", "5511999990009", "oi", new { name = "Ana", email = "a@b.co" });
        await app.SendAsync("segunda-via-boleto", "5511999990009", "52998224725");
        await JobsApps.WaitUntilAsync(() => Task.FromResult(Events(receiver, "integration.failed").Count == 1), "the integration.failed event");

        var failed = Events(receiver, "integration.failed").Single();
        Assert.True(SignatureValid(failed), "the event's webhook-signature does not verify with the subscriber's secret");
        var data = failed.Json["data"]!;
        Assert.Equal("segunda-via-boleto", (string?)data["flowId"]);
        Assert.Equal("buscar-boleto", (string?)data["blockId"]);
        Assert.Equal("5511999990009", (string?)data["contactId"]);
        Assert.False(string.IsNullOrEmpty((string?)data["executionId"]));
        Assert.Contains("HTTP 500", (string?)data["error"]);
        Assert.DoesNotContain(FakeUpstream.BoletoToken, failed.Body, StringComparison.Ordinal);
    }
}
