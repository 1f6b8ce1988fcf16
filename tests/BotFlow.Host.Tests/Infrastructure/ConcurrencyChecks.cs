using System.Net;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Tests.Infrastructure;

/// <summary>Sends many messages of one contact at once and checks each step ran whole, never interleaved with another.</summary>
public static class ConcurrencyChecks
{
    public const string EchoFlow = """
        { "id": "eco", "start": "q", "blocks": [
          { "id": "q", "type": "question", "config": { "text": "?", "field": "name" }, "next": "m" },
          { "id": "m", "type": "message", "config": { "text": "={{ contact.name }}" }, "next": "q" } ] }
        """;

    public static async Task AssertSerialisedAsync(BotFlowApp app, int messages)
    {
        await app.PutFlowAsync(EchoFlow);
        var client = app.CreateClient();
        await client.PostAsync("/api/flows/eco/conversations/c1/messages", BotFlowApp.Json("""{"text":"start"}"""));

        var responses = await Task.WhenAll(Enumerable.Range(0, messages).Select(i =>
            client.PostAsync("/api/flows/eco/conversations/c1/messages", BotFlowApp.Json($$"""{"text":"m{{i}}"}"""))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var log = (JArray)(await BotFlowApp.ReadAsync(await client.GetAsync("/api/contacts/c1/messages?limit=1000"), expectSuccess: true))["items"]!;
        var texts = log.Select(m => (string)m["text"]!).Skip(2).ToList();
        Assert.Equal(messages * 3, texts.Count);
        for (var i = 0; i < texts.Count; i += 3)
        {
            // Each answer is followed by its own echo and the next question.
            Assert.Equal("=" + texts[i], texts[i + 1]);
            Assert.Equal("?", texts[i + 2]);
        }
    }
}
