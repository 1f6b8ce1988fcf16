using System.Net;
using BotFlow.Host.Tests.Infrastructure;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Security;

public sealed class RateLimitTests
{
    [Fact]
    public async Task A_burst_from_one_contact_gets_429_with_retry_after_and_other_contacts_still_pass()
    {
        using var app = new BotFlowApp().Set("BotFlow:RateLimits:ConversationPerContactPerMinute", "5");
        await app.PutFlowAsync("""{ "id": "eco", "start": "a", "blocks": [ { "id": "a", "type": "end", "config": { "text": "ok" } } ] }""");
        var client = app.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add((await client.PostAsync("/api/flows/eco/conversations/c1/messages", Json("""{"text":"oi"}"""))).StatusCode);
        }

        var limited = await client.PostAsync("/api/flows/eco/conversations/c1/messages", Json("""{"text":"oi"}"""));
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/flows/eco/conversations/c2/messages", Json("""{"text":"oi"}"""))).StatusCode);
    }

    [Fact]
    public async Task Integration_tests_are_limited_per_caller()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp().Set("BotFlow:RateLimits:IntegrationTestsPerCallerPerMinute", "2");
        var client = app.CreateClient();
        var body = $$"""{ "config": { "method": "GET", "url": "{{upstream.BaseUrl}}/redirect/0" } }""";

        await client.PostAsync("/api/integrations/test", Json(body));
        await client.PostAsync("/api/integrations/test", Json(body));
        var third = await client.PostAsync("/api/integrations/test", Json(body));

        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal(2, upstream.Requests.Count);
    }
}
