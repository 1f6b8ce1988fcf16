using BotFlow.Tests.Shared;
using Microsoft.AspNetCore.Hosting;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BotFlow.Benchmarks;

/// <summary>
/// How many background integration tries per second Hangfire on SQLite sustains here, and how long a try waits between
/// enqueue and start. Each conversation message enqueues one fire-and-forget integration (runInBackground) against a
/// loopback upstream that answers at once; the run is bounded by a count and a time limit.
/// Usage: jobs [count=1000] [workers=20] [pollMs=1000]
/// </summary>
public static class JobsThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var workers = args.Length > 1 ? args[1] : "20";
        var pollMs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
        var folder = Path.Combine(Path.GetTempPath(), "botflow-jobs-bench-" + Guid.NewGuid().ToString("N")[..8]);

        await using var upstream = await StartUpstreamAsync();
        await using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSolutionRelativeContentRoot("host/BotFlow.Host");
            b.UseEnvironment("Development");
            b.UseSetting("BotFlow:Storage:DataFolder", folder);
            b.UseSetting("BotFlow:Flows:ImportSamples", "false");
            b.UseSetting("BotFlow:Plugins:Folders:0", Path.Combine(AppContext.BaseDirectory, "plugins"));
            b.UseSetting("BotFlow:Jobs:WorkerCount", workers);
            b.UseSetting("BotFlow:Jobs:QueuePollInterval", TimeSpan.FromMilliseconds(pollMs).ToString("c", CultureInfo.InvariantCulture));
            b.UseSetting("BotFlow:Jobs:SchedulePollingInterval", TimeSpan.FromMilliseconds(pollMs).ToString("c", CultureInfo.InvariantCulture));
            b.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        });
        var client = app.CreateClient();
        await Put(client, "/api/flows/bg", $$$"""
            { "id": "bg", "start": "a", "blocks": [
              { "id": "a", "type": "integration", "config": { "method": "POST", "url": "{{{upstream.Url}}}/boletos", "runInBackground": true,
                "body": [ { "key": "customer[cpf]", "value": "{{ contact.name }}" } ], "message": "ok {data[url]}" }, "exits": { "success": "b" } },
              { "id": "b", "type": "end", "config": {} } ] }
            """);

        var storage = app.Services.GetRequiredService<JobStorage>();
        var total = Stopwatch.StartNew();
        var deadline = TimeSpan.FromMinutes(5);
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            (await client.PostAsync($"/api/flows/bg/conversations/bench-{i}/messages",
                new StringContent("{\"text\":\"oi\",\"fields\":{\"name\":\"n" + i + "\"}}", Encoding.UTF8, "application/json"), ct)).EnsureSuccessStatusCode());
        var enqueued = total.Elapsed;
        while (storage.GetMonitoringApi().SucceededListCount() < count && total.Elapsed < deadline)
        {
            await Task.Delay(50);
        }

        var done = total.Elapsed;
        var succeeded = storage.GetMonitoringApi().SucceededListCount();
        var waits = storage.GetMonitoringApi().SucceededJobs(0, (int)Math.Min(succeeded, 500))
            .Select(j => storage.GetMonitoringApi().JobDetails(j.Key))
            .Select(d => (d.History.Last(h => h.StateName == "Processing").CreatedAt - d.History.Last(h => h.StateName == "Enqueued").CreatedAt).TotalMilliseconds)
            .Order().ToArray();
        Console.WriteLine($"jobs: {count} enqueued in {enqueued.TotalSeconds:0.00} s, {succeeded} succeeded after {done.TotalSeconds:0.00} s " +
                          $"(workers {workers}, poll {pollMs} ms, upstream calls {upstream.Calls})");
        var firstDone = storage.GetMonitoringApi().SucceededJobs((int)succeeded - 1, 1).Select(j => storage.GetMonitoringApi().JobDetails(j.Key).History[0].CreatedAt).FirstOrDefault();
        var lastDone = storage.GetMonitoringApi().SucceededJobs(0, 1).Select(j => storage.GetMonitoringApi().JobDetails(j.Key).History[0].CreatedAt).FirstOrDefault();
        Console.WriteLine($"enqueue: {count / enqueued.TotalSeconds:0} conversation messages/s, each storing its step and creating a job");
        Console.WriteLine($"tries: {succeeded / Math.Max(0.001, (lastDone - firstDone).TotalSeconds):0} tries/s between the first and the last success; " +
                          $"enqueue→start wait p50 {Percentile(waits, 0.5):0} ms, p99 {Percentile(waits, 0.99):0} ms, max {waits.LastOrDefault():0} ms");
        Directory.Delete(folder, recursive: true);
        return succeeded == count ? 0 : 1;
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static async Task Put(HttpClient client, string path, string json) =>
        (await client.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

    private sealed class Upstream(WebApplication app) : IAsyncDisposable
    {
        public int Calls;
        public string Url { get; set; } = "";
        public ValueTask DisposeAsync() => LoopbackServer.StopAsync(app);
        public WebApplication App => app;
    }

    private static async Task<Upstream> StartUpstreamAsync()
    {
        var app = LoopbackServer.Create();
        var upstream = new Upstream(app);
        app.MapPost("/boletos", async context =>
        {
            Interlocked.Increment(ref upstream.Calls);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"data":{"url":"https://pay.example/b/1"}}""");
        });
        upstream.Url = await LoopbackServer.StartAsync(app);
        return upstream;
    }
}
