using BotFlow.Host.Tests.Infrastructure;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Tests.Jobs;

/// <summary>Hangfire keeps process-wide state: tests that run a Hangfire server never run in parallel (Hangfire issues #2151, #2082).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class JobsCollection
{
    public const string Name = "Jobs";
}

public static class JobsApps
{
    /// <summary>A host with a real Hangfire server on its own SQLite file, polling fast so tests wait seconds, not minutes.</summary>
    public static BotFlowApp Create(string? folder = null, string environment = "Development", string provider = Providers.Sqlite) =>
        Providers.App(provider, folder, environment: environment)
        .Set("BotFlow:Jobs:Enabled", "true")
        .Set("BotFlow:Jobs:QueuePollInterval", "00:00:00.200")
        .Set("BotFlow:Jobs:SchedulePollingInterval", "00:00:00.200")
        .Set("BotFlow:Integration:InlineBackoff", "00:00:00.050");

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new Xunit.Sdk.XunitException($"timed out after {seconds} s waiting for {what}");
    }

    public static async Task<List<string>> OutgoingAsync(BotFlowApp app, string contactId)
    {
        var response = await app.CreateClient().GetAsync($"/api/contacts/{contactId}/messages");
        if (!response.IsSuccessStatusCode)
        {
            return [];
        }

        var items = (JArray)(await BotFlowApp.ReadAsync(response))["items"]!;
        return items.Where(m => (string?)m["direction"] == "out").Select(m => (string)m["text"]!).ToList();
    }

    public static async Task<JArray> ExecutionsAsync(BotFlowApp app, string query = "") =>
        (JArray)(await BotFlowApp.ReadAsync(await app.CreateClient().GetAsync("/api/executions?limit=100" + query), expectSuccess: true))["items"]!;

    /// <summary>The boleto example with fast background backoff for tests.</summary>
    public static string BoletoFlow(FakeUpstream upstream, int inline = 2, int background = 3, string backoff = "1, 1, 1") =>
        upstream.Rewrite(Samples.Flow("segunda-via-boleto"))
            .Replace("\"retry\": { \"inlineAttempts\": 2, \"backgroundAttempts\": 3 }",
                $"\"retry\": {{ \"inlineAttempts\": {inline}, \"backgroundAttempts\": {background}, \"backoffSeconds\": [{backoff}] }}");
}
