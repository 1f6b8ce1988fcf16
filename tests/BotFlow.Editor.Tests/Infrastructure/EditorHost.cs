using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace BotFlow.Editor.Tests.Infrastructure;

/// <summary>
/// The real host on Kestrel at 127.0.0.1 (a browser cannot reach a TestServer), on a fresh SQLite folder deleted on dispose.
/// By default Development, where loopback acts as admin, like an admin opening the editor on their own machine;
/// <see cref="Production"/> makes a host that needs a credential, as deployed.
/// The content root is the host's project folder, so it serves the wwwroot/ the build wrote the editor into.
/// </summary>
public sealed class EditorHost : WebApplicationFactory<Program>
{
    private readonly string _dataFolder = Path.Combine(Path.GetTempPath(), "botflow-editor-tests", Guid.NewGuid().ToString("N"));
    private readonly int _port = FreePort();
    private readonly string _environment;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly string? _adminKey;

    public EditorHost()
        : this("Development", new Dictionary<string, string?>(), adminKey: null)
    {
    }

    private EditorHost(string environment, IReadOnlyDictionary<string, string?> settings, string? adminKey)
    {
        _environment = environment;
        _settings = settings;
        _adminKey = adminKey;
        Directory.CreateDirectory(_dataFolder);
        UseKestrel(_port);
    }

    /// <summary>
    /// A Production host (plain http on loopback: the session cookie is Secure only on HTTPS requests) with the given
    /// settings (users) and an admin API key for the test's own API checks.
    /// </summary>
    public static EditorHost Production(IReadOnlyDictionary<string, string?> settings, string adminKey) => new("Production", settings, adminKey);

    public Uri BaseAddress => new($"http://127.0.0.1:{_port}/");

    /// <summary>
    /// Starts Kestrel and answers a client for API checks: same origin; admin through loopback in Development,
    /// through the admin API key in Production.
    /// </summary>
    public HttpClient Start()
    {
        StartServer();
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (_adminKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", _adminKey);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        builder.UseSetting("BotFlow:Storage:DataFolder", _dataFolder);
        builder.UseSetting("BotFlow:Flows:ImportSamples", "false");
        // Hangfire servers are process-wide; the editor's tests do not need background jobs.
        builder.UseSetting("BotFlow:Jobs:Enabled", "false");
        builder.UseSetting("BotFlow:Plugins:Folders:0", Path.Combine(AppContext.BaseDirectory, "plugins"));
        // The sample third-party plugin (copied by the test project's build): its block must get a form from its schema.
        builder.UseSetting("BotFlow:Plugins:Folders:1", Path.Combine(AppContext.BaseDirectory, "testplugins"));
        if (_adminKey is not null)
        {
            builder.UseSetting("BotFlow:Auth:ApiKeys:0:Name", "editor-tests");
            builder.UseSetting("BotFlow:Auth:ApiKeys:0:Role", "admin");
            builder.UseSetting("BotFlow:Auth:ApiKeys:0:Key", _adminKey);
        }

        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_dataFolder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a finishing background task: the temp folder is cleaned by the OS later.
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
