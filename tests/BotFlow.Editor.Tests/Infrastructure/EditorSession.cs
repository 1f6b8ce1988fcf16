using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace BotFlow.Editor.Tests.Infrastructure;

/// <summary>
/// One test's world: the real host, the fake partner API, Debian's Chromium (never a downloaded browser) and a page at 1280×800.
/// Every wait is a Playwright auto-wait bounded by <see cref="Timeout"/>; nothing sleeps for a fixed time.
/// </summary>
public sealed class EditorSession : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Bound of every wait; generous for a loaded CI machine, small enough that a broken test fails fast.</summary>
    public const float Timeout = 20_000;

    private EditorSession(EditorHost host, HttpClient api, FakeBoletoApi upstream, IPlaywright playwright, IBrowser browser, IPage page)
    {
        Host = host;
        Api = api;
        Upstream = upstream;
        Playwright = playwright;
        Browser = browser;
        Page = page;
    }

    public EditorHost Host { get; }
    public HttpClient Api { get; }
    public FakeBoletoApi Upstream { get; }
    public IPlaywright Playwright { get; }
    public IBrowser Browser { get; }
    public IPage Page { get; }

    /// <summary>
    /// Errors the page wrote to its console or threw. Chromium also logs every non-2xx fetch ("Failed to load resource"),
    /// which the editor expects (a new flow's 404, a rejected save's 400): those are left out.
    /// </summary>
    public List<string> ConsoleErrors { get; } = [];

    /// <summary>Starts the given host (a Development one by default), the fake partner and the browser.</summary>
    public static async Task<EditorSession> StartAsync(EditorHost? editorHost = null)
    {
        Assert.True(File.Exists(ChromiumPath), $"Chromium is expected at {ChromiumPath} (apt-get install -y chromium; .ci/run does it).");
        var upstream = await FakeBoletoApi.StartAsync();
        var host = editorHost ?? new EditorHost();
        var api = host.Start();
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 }, BaseURL = host.BaseAddress.ToString(), Locale = "pt-BR" });
        page.SetDefaultTimeout(Timeout);
        var session = new EditorSession(host, api, upstream, playwright, browser, page);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                session.ConsoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => session.ConsoleErrors.Add(error);
        // Chromium logs a refused inline script or eval itself; this also reports any other Content-Security-Policy
        // violation (a style, an image, a connection) as a console error. Init scripts come through the DevTools
        // protocol, so the policy does not block this one.
        await page.AddInitScriptAsync(
            "document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));");
        return session;
    }

    public ILocator ById(string testId) => Page.GetByTestId(testId);

    public Task ExpectTextAsync(string testId, string text) =>
        Assertions.Expect(ById(testId)).ToContainTextAsync(text, new() { Timeout = Timeout });

    public Task ExpectVisibleAsync(string testId) => Assertions.Expect(ById(testId)).ToBeVisibleAsync(new() { Timeout = Timeout });

    /// <summary>Drags a palette entry onto the canvas at a point of the canvas (its top-left is the block's corner).</summary>
    public Task DropBlockAsync(string type, float x, float y) =>
        ById($"palette-{type}").DragToAsync(ById("canvas"), new() { TargetPosition = new() { X = x, Y = y } });

    /// <summary>Drags from a block's named exit to another block's input.</summary>
    public Task ConnectAsync(string fromBlock, string exit, string toBlock) => ById($"exit-{fromBlock}-{exit}").DragToAsync(ById($"target-{toBlock}"));

    /// <summary>Clicks empty canvas so no block is selected (the panel narrows and the whole canvas shows).</summary>
    public Task ClickEmptyCanvasAsync() => Page.Locator(".react-flow__pane").ClickAsync(new() { Position = new() { X = 8, Y = 8 } });

    public async Task<JsonNode> GetJsonAsync(string path)
    {
        var response = await Api.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Where screenshots for the README go: docs/screenshots/ of the repository the tests were built from.</summary>
    public static string ScreenshotPath(string name)
    {
        var target = Path.Combine(BotFlow.Tests.Shared.RepositoryRoot.Find() ?? AppContext.BaseDirectory, "docs", "screenshots");
        Directory.CreateDirectory(target);
        return Path.Combine(target, name);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        Api.Dispose();
        await Host.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
