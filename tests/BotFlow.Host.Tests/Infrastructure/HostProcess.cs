using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace BotFlow.Host.Tests.Infrastructure;

/// <summary>
/// A real host process (<c>dotnet BotFlow.Host.dll</c>) on 127.0.0.1, for what one process cannot show: two hosts on one
/// database, a host killed with SIGKILL. Stopped by its own PID on dispose.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

    private HostProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public int Port { get; }

    public HttpClient Client { get; }

    public int Pid => _process.Id;

    public string Output => string.Join('\n', _output);

    public static async Task<HostProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "BotFlow.Host.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["BotFlow__Flows__ImportSamples"] = "false";
        info.Environment["BotFlow__Plugins__Folders__0"] = Path.Combine(AppContext.BaseDirectory, "plugins");
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(info)!;
        var host = new HostProcess(process, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) host._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) host._output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the host exited with {process.ExitCode}:\n{host.Output}");
            }

            try
            {
                if ((await host.Client.GetAsync("/health")).StatusCode == HttpStatusCode.OK)
                {
                    return host;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        await host.DisposeAsync();
        throw new TimeoutException($"the host did not become healthy:\n{host.Output}");
    }

    /// <summary>SIGTERM: the graceful stop a service manager sends; returns whether the process ended within <paramref name="wait"/>.</summary>
    public bool Terminate(TimeSpan wait)
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        return _process.WaitForExit(wait);
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>SIGKILL: no shutdown, no cleanup, exactly like a crashed machine.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        Client.Dispose();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
