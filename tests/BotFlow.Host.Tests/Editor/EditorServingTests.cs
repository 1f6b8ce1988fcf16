using System.Net;
using BotFlow.Host.Tests.Infrastructure;

namespace BotFlow.Host.Tests.Editor;

/// <summary>The host serves the web editor's bundle (built into wwwroot by build/BotFlow.Editor.targets) without weakening the API.</summary>
public sealed class EditorServingTests
{
    [Fact]
    public async Task The_editor_and_its_deep_links_are_served_to_anyone_while_the_api_still_requires_a_credential()
    {
        using var app = new BotFlowApp(environment: "Production");
        var client = app.CreateClient();

        foreach (var path in new[] { "/", "/flow/segunda-via" })
        {
            var page = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("<div id=\"root\">", await page.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/flows")).StatusCode);
    }

    [Fact]
    public async Task Unknown_api_paths_stay_problem_details_and_are_not_answered_with_the_editor()
    {
        using var app = new BotFlowApp();
        var client = app.CreateClient();

        var unknown = await client.GetAsync("/api/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal("application/json", (await client.GetAsync("/health")).Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/assets/missing.js")).StatusCode);
    }

    [Fact]
    public async Task The_api_reference_is_served_at_api_docs_with_its_openapi_document()
    {
        using var app = new BotFlowApp();
        var client = app.CreateClient();

        var page = await client.GetAsync("/api-docs/index.html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/openapi/v1.json", await (await client.GetAsync("/api-docs/index.js")).Content.ReadAsStringAsync());
        var document = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Contains("/api/flows/{flowId}/conversations/{contactId}/messages", await document.Content.ReadAsStringAsync());
    }
}
