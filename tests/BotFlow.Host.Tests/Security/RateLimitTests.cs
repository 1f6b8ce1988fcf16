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
    public async Task Conversation_requests_are_limited_per_caller_across_contacts_and_another_caller_still_passes()
    {
        using var app = new BotFlowApp().Set("BotFlow:RateLimits:ConversationPerCallerPerSecond", "1")
            .Set("BotFlow:Auth:ApiKeys:0:Name", "busy").Set("BotFlow:Auth:ApiKeys:0:Role", "admin").Set("BotFlow:Auth:ApiKeys:0:Key", "busy-key-0123456789")
            .Set("BotFlow:Auth:ApiKeys:1:Name", "quiet").Set("BotFlow:Auth:ApiKeys:1:Role", "admin").Set("BotFlow:Auth:ApiKeys:1:Key", "quiet-key-0123456789");
        var busy = app.CreateClient();
        busy.DefaultRequestHeaders.Add("X-Api-Key", "busy-key-0123456789");
        var quiet = app.CreateClient();
        quiet.DefaultRequestHeaders.Add("X-Api-Key", "quiet-key-0123456789");
        await ReadAsync(await busy.PutAsync("/api/flows/eco", Json("""{ "id": "eco", "start": "a", "blocks": [ { "id": "a", "type": "end", "config": { "text": "ok" } } ] }""")),
            expectSuccess: true);

        // One a second per caller: twelve messages in a row, each from its own contact, cannot all pass (the bucket
        // refills once a second, so only a burst slower than eleven seconds could).
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 12; i++)
        {
            answers.Add(await busy.PostAsync($"/api/flows/eco/conversations/c{i}/messages", Json("""{"text":"oi"}""")));
        }

        Assert.Equal(HttpStatusCode.OK, answers[0].StatusCode);
        var limited = answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await quiet.PostAsync("/api/flows/eco/conversations/c0/messages", Json("""{"text":"oi"}"""))).StatusCode);
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

    [Fact]
    public async Task Requests_no_limit_is_about_are_never_limited_even_with_every_limit_at_one()
    {
        using var app = new BotFlowApp().Set("BotFlow:RateLimits:ConversationPerContactPerMinute", "1").Set("BotFlow:RateLimits:ConversationPerCallerPerSecond", "1")
            .Set("BotFlow:RateLimits:IntegrationTestsPerCallerPerMinute", "1").Set("BotFlow:RateLimits:SignInPerMinute", "1");
        var client = app.CreateClient();

        for (var i = 0; i < 5; i++)
        {
            var put = await client.PutAsync("/api/flows/eco", Json("""{ "id": "eco", "start": "a", "blocks": [ { "id": "a", "type": "end", "config": { "text": "ok" } } ] }"""));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/flows/eco")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/api/fields/f{i}", Json("""{"label":"F","type":"text"}"""))).StatusCode);
        }

        // The conversation limits still hold beside them.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/flows/eco/conversations/c1/messages", Json("""{"text":"oi"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsync("/api/flows/eco/conversations/c1/messages", Json("""{"text":"oi"}"""))).StatusCode);
    }
}
