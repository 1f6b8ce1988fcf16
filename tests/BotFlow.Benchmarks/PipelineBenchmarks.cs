using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BotFlow.Benchmarks;

/// <summary>
/// One API request through the host's whole middleware pipeline, in process (TestServer, no sockets): security
/// headers, API key, antiforgery check, rate limits, role policy, audit, routing and a trivial endpoint
/// (<c>GET /api/auth/me</c>). What the pipeline in front of every conversation message costs, measured where a load
/// run's noise does not reach; the TestServer's own work is in every figure.
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private const string Key = "bench-key-0123456789abcdef";
    private WebApplicationFactory<Program> _app = null!;
    private HttpClient _client = null!;
    private string _folder = "";

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "botflow-pipeline-bench-" + Guid.NewGuid().ToString("N")[..8]);
        _app = BenchHost.Create(_folder, ("BotFlow:Auth:ApiKeys:0:Name", "bench"), ("BotFlow:Auth:ApiKeys:0:Role", "channel"), ("BotFlow:Auth:ApiKeys:0:Key", Key));
        _client = _app.CreateClient();
        _client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        if (Me().GetAwaiter().GetResult() != 200)
        {
            throw new InvalidOperationException("GET /api/auth/me with the bench key did not answer 200");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _app.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Description = "pipeline: API key + role policy + a trivial endpoint (in process)")]
    public async Task<int> Me()
    {
        using var response = await _client.GetAsync("/api/auth/me");
        return (int)response.StatusCode;
    }
}
