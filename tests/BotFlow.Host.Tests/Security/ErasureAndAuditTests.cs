using System.Net;
using System.Text;
using BotFlow.Host.Tests.Infrastructure;
using BotFlow.Host.Tests.Jobs;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;
using static BotFlow.Host.Tests.Jobs.JobsApps;

namespace BotFlow.Host.Tests.Security;

[Collection(JobsCollection.Name)]
public sealed class ErasureAndAuditTests
{
    private const string Contact = "5511987654321";
    private const string Name = "Genoveva Quitéria";
    private const string Cpf = "52998224725";

    [Fact]
    public async Task Erasing_a_contact_leaves_no_trace_of_its_cpf_or_name_in_any_storage_file_and_cancels_its_jobs()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = Create();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        await app.PutFlowAsync(BoletoFlow(upstream, inline: 1, background: 2, backoff: "3600"));
        upstream.Next(1, 503, "{}");
        await app.SendAsync("segunda-via-boleto", Contact, "oi", new { name = Name, email = "genoveva@example.com" });
        await app.SendAsync("segunda-via-boleto", Contact, Cpf);
        var storage = app.Services.GetRequiredService<JobStorage>();
        Assert.Equal(1, storage.GetMonitoringApi().ScheduledCount());

        var export = await ReadAsync(await app.CreateClient().GetAsync($"/api/contacts/{Contact}/export"), expectSuccess: true);
        Assert.Equal(Cpf, (string?)export["contact"]!["fields"]!["cpf"]);
        Assert.NotEmpty(export["messages"]!);
        Assert.NotEmpty(export["executions"]!);
        Assert.NotEmpty(export["conversations"]!);

        Assert.Equal(HttpStatusCode.NoContent, (await app.CreateClient().DeleteAsync($"/api/contacts/{Contact}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync($"/api/contacts/{Contact}")).StatusCode);
        Assert.Equal(0, storage.GetMonitoringApi().ScheduledCount());
        Assert.Empty(await ExecutionsAsync(app, $"&contactId={Contact}"));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await using (var checkpoint = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(app.DataFolder, "botflow.db")}"))
        {
            await checkpoint.OpenAsync();
            await using var command = checkpoint.CreateCommand();
            // Deleted rows may linger in free pages and the WAL until they are reused: vacuum so the search is honest.
            command.CommandText = "VACUUM";
            await command.ExecuteNonQueryAsync();
            // The host's background checkpointer may hold the checkpoint lock for a moment; SQLite then answers busy (first
            // column 1) instead of waiting, and the old pages would still be in botflow.db. Try until it has run.
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            for (var attempt = 0; attempt < 100; attempt++)
            {
                await using var result = await command.ExecuteReaderAsync();
                if (await result.ReadAsync() && result.GetInt32(0) == 0)
                {
                    break;
                }

                await Task.Delay(20);
            }
        }

        foreach (var file in Directory.GetFiles(app.DataFolder, "*", SearchOption.AllDirectories))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var text = await reader.ReadToEndAsync();
            Assert.False(text.Contains(Cpf, StringComparison.Ordinal), $"{Path.GetFileName(file)} still holds the CPF");
            Assert.False(text.Contains(Name, StringComparison.Ordinal), $"{Path.GetFileName(file)} still holds the name");
            Assert.False(text.Contains(Contact, StringComparison.Ordinal), $"{Path.GetFileName(file)} still holds the phone");
        }
    }

    [Fact]
    public async Task Flow_changes_and_dashboard_requeues_are_in_the_audit_log_without_secret_values()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = Create();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        await app.PutFlowAsync(BoletoFlow(upstream, inline: 1, background: 1, backoff: "1"));
        upstream.Next(2, 500, "{}");
        await app.SendAsync("segunda-via-boleto", Contact, "oi", new { name = Name, email = "g@example.com" });
        await app.SendAsync("segunda-via-boleto", Contact, Cpf);
        var storage = app.Services.GetRequiredService<JobStorage>();
        await WaitUntilAsync(() => Task.FromResult(storage.GetMonitoringApi().FailedCount() == 1), "the failed job");
        var jobId = storage.GetMonitoringApi().FailedJobs(0, 1).Single().Key;

        // The dashboard's Requeue button posts this form (with the dashboard's antiforgery token).
        var dashboard = app.CreateClient();
        var page = await dashboard.GetStringAsync($"/hangfire/jobs/details/{jobId}");
        var header = System.Text.RegularExpressions.Regex.Match(page, "<meta name=\"csrf-header\" content=\"([^\"]+)\"").Groups[1].Value;
        var token = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "<meta name=\"csrf-token\" content=\"([^\"]+)\"").Groups[1].Value);
        using var requeue = new HttpRequestMessage(HttpMethod.Post, $"/hangfire/jobs/actions/requeue/{jobId}") { Content = new FormUrlEncodedContent([new("jobs[]", jobId)]) };
        requeue.Headers.Add(header, token);
        var requeued = await dashboard.SendAsync(requeue);
        Assert.True(requeued.IsSuccessStatusCode, $"requeue answered {(int)requeued.StatusCode}");

        var audit = (JArray)(await ReadAsync(await app.CreateClient().GetAsync("/api/audit?limit=100"), expectSuccess: true))["items"]!;
        var actions = audit.Select(a => $"{a["resource"]}|{a["resourceId"]}|{a["action"]}|{a["actor"]}").ToList();
        Assert.True(actions.Any(a => a.StartsWith("flows|segunda-via-boleto|PUT flows|development", StringComparison.Ordinal)), string.Join("\n", actions));
        Assert.Contains(actions, a => a.StartsWith("secrets|boleto_token|PUT secrets", StringComparison.Ordinal));
        Assert.Contains(actions, a => a.StartsWith("dashboard|", StringComparison.Ordinal) && a.Contains("requeue", StringComparison.Ordinal));
        // Conversation messages are activity, not configuration: never audited (and the contact's number never lands here).
        Assert.DoesNotContain(actions, a => a.Contains("conversations", StringComparison.Ordinal) || a.Contains(Contact, StringComparison.Ordinal));
        var all = audit.ToString();
        Assert.DoesNotContain(FakeUpstream.BoletoToken, all, StringComparison.Ordinal);
        var flowsOnly = (JArray)(await ReadAsync(await app.CreateClient().GetAsync("/api/audit?resource=flows"), expectSuccess: true))["items"]!;
        Assert.All(flowsOnly, a => Assert.Equal("flows", (string?)a["resource"]));
    }
}
