using BotFlow.Host.Jobs;
using BotFlow.Host.Tests.Infrastructure;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;
using static BotFlow.Host.Tests.Jobs.JobsApps;

namespace BotFlow.Host.Tests.Jobs;

[Collection(JobsCollection.Name)]
public sealed class BackgroundRetryTests
{
    private const string Contact = "5511944443333";
    private const string Link = "Seu boleto: https://pay.example/b/52998224725";

    private static async Task<Newtonsoft.Json.Linq.JObject> AskAsync(BotFlowApp app)
    {
        await app.SendAsync("segunda-via-boleto", Contact, "oi", new { name = "Ana", email = "ana@example.com" });
        return await app.SendAsync("segunda-via-boleto", Contact, "529.982.247-25");
    }

    public static TheoryData<string> AllProviders => Providers.All;

    [Theory]
    [MemberData(nameof(AllProviders))]
    public async Task Failure_branch_first_then_the_link_after_background_tries_with_one_idempotency_key(string provider)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = Create(provider: provider);
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        await app.PutFlowAsync(BoletoFlow(upstream));
        upstream.Next(3, 503, """{"error":"maintenance"}""");

        var answer = await AskAsync(app);

        Assert.Equal(["Vou te passar para o nosso time financeiro."], Replies(answer));
        await WaitUntilAsync(async () => (await OutgoingAsync(app, Contact)).Contains(Link), "the link from a background try");
        Assert.Equal(4, upstream.Requests.Count);
        Assert.Single(upstream.Requests.Select(r => r.Headers["idempotency-key"]).Distinct());
        var executions = await ExecutionsAsync(app, $"&contactId={Contact}");
        Assert.Equal(["4:success:background", "3:failure:background", "2:failure:conversation", "1:failure:conversation"],
            executions.Select(e => $"{e["attempt"]}:{e["outcome"]}:{e["kind"]}"));
        Assert.Single(executions.Select(e => (string?)e["id"]).Distinct());
        Assert.All(executions.Where(e => (string?)e["kind"] == "background"), e => Assert.False(string.IsNullOrEmpty((string?)e["jobId"])));
        var contact = await ReadAsync(await app.CreateClient().GetAsync($"/api/contacts/{Contact}"), expectSuccess: true);
        Assert.Equal("https://pay.example/b/52998224725", (string?)contact["fields"]!["boleto_url"]);
        Assert.Single(await OutgoingAsync(app, Contact), m => m == Link);
    }

    [Fact]
    public async Task All_tries_fail_then_a_requeue_after_the_partner_recovers_delivers_the_message()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = Create();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        await app.PutFlowAsync(BoletoFlow(upstream, inline: 1, background: 2));
        upstream.Next(3, 500, """{"error":"down"}""");
        var storage = app.Services.GetRequiredService<JobStorage>();

        await AskAsync(app);
        await WaitUntilAsync(() => Task.FromResult(storage.GetMonitoringApi().FailedCount() == 1), "the job to end Failed");

        var failed = storage.GetMonitoringApi().FailedJobs(0, 10).Single();
        // The newest state in the history is the final Failed one (the SQLite storage's FailedJobs list shows the first failure's data).
        var final = storage.GetMonitoringApi().JobDetails(failed.Key).History[0];
        Assert.Equal("Failed", final.StateName);
        Assert.Contains("try 3 of 3 failed: HTTP 500", final.Data["ExceptionMessage"]);
        Assert.Contains(storage.GetMonitoringApi().JobDetails(failed.Key).History, h => h.StateName == "Scheduled" && h.Reason.Contains("try 2 of 3 failed", StringComparison.Ordinal));
        var dashboard = System.Net.WebUtility.HtmlDecode(await app.CreateClient().GetStringAsync("/hangfire/jobs/failed"));
        Assert.Contains("Integration buscar-boleto · flow segunda-via-boleto · contact 5511…", dashboard);
        Assert.DoesNotContain(Link, await OutgoingAsync(app, Contact));

        // What the dashboard's Requeue button does.
        Assert.True(app.Services.GetRequiredService<IBackgroundJobClient>().Requeue(failed.Key));
        await WaitUntilAsync(async () => (await OutgoingAsync(app, Contact)).Contains(Link), "the link after the requeue");
        var last = (await ExecutionsAsync(app, $"&contactId={Contact}"))[0];
        Assert.Equal(4, (int)last["attempt"]!);
        Assert.Equal("success", (string?)last["outcome"]);
    }

    [Fact]
    public async Task A_replayed_job_after_success_does_not_deliver_twice()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = Create();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        await app.PutFlowAsync(BoletoFlow(upstream, inline: 1, background: 1));
        upstream.Next(1, 503, "{}");
        var storage = app.Services.GetRequiredService<JobStorage>();

        await AskAsync(app);
        await WaitUntilAsync(async () => (await OutgoingAsync(app, Contact)).Contains(Link), "the link");
        // The job's rows are committed before Hangfire moves it to Succeeded, so the link can be there a moment earlier.
        await WaitUntilAsync(() => Task.FromResult(storage.GetMonitoringApi().SucceededListCount() == 1), "the job to be marked Succeeded");
        var succeeded = storage.GetMonitoringApi().SucceededJobs(0, 10).Single();
        app.Services.GetRequiredService<IBackgroundJobClient>().Requeue(succeeded.Key);
        await WaitUntilAsync(() => Task.FromResult(storage.GetMonitoringApi().SucceededListCount() == 1 && storage.GetMonitoringApi().EnqueuedCount("default") == 0
                                                    && storage.GetMonitoringApi().ProcessingCount() == 0), "the replay to finish");
        await Task.Delay(500);

        Assert.Single(await OutgoingAsync(app, Contact), m => m == Link);
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Fact]
    public async Task A_job_waiting_for_its_retry_delay_runs_after_a_restart()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var folder = NewFolder();
        try
        {
            using (var first = Create(folder))
            {
                await Samples.InstallAsync(first, upstream, "segunda-via-boleto");
                await first.PutFlowAsync(BoletoFlow(upstream, inline: 1, background: 1, backoff: "3"));
                upstream.Next(1, 503, "{}");
                await AskAsync(first);
                Assert.Single(upstream.Requests);
            }

            using var second = Create(folder);
            await WaitUntilAsync(async () => (await OutgoingAsync(second, Contact)).Contains(Link), "the link after the restart");
            Assert.Equal(2, upstream.Requests.Count);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_job_whose_flow_was_deleted_fails_with_a_clear_message()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = Create();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        await app.PutFlowAsync(BoletoFlow(upstream, inline: 1, background: 1, backoff: "2"));
        upstream.Next(1, 503, "{}");
        var storage = app.Services.GetRequiredService<JobStorage>();

        await AskAsync(app);
        (await app.CreateClient().DeleteAsync("/api/flows/segunda-via-boleto")).EnsureSuccessStatusCode();
        await WaitUntilAsync(() => Task.FromResult(storage.GetMonitoringApi().FailedCount() == 1), "the job to fail");

        Assert.Contains("flow 'segunda-via-boleto' was deleted", storage.GetMonitoringApi().FailedJobs(0, 1).Single().Value.ExceptionMessage);
        var row = await app.Services.GetRequiredService<IBackgroundStore>().GetAsync((string)(await ExecutionsAsync(app))[0]["id"]!, CancellationToken.None);
        Assert.Equal(BackgroundStatuses.Failed, row!.Status);
    }

    [Fact]
    public async Task Stored_job_arguments_hold_ids_only_and_no_secret()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = Create();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        await app.PutFlowAsync(BoletoFlow(upstream, inline: 1, background: 1));
        upstream.Next(1, 503, $$"""{"error":"bad token {{FakeUpstream.BoletoToken}}"}""");

        await AskAsync(app);
        await WaitUntilAsync(async () => (await OutgoingAsync(app, Contact)).Contains(Link), "the link");

        var storage = app.Services.GetRequiredService<JobStorage>();
        // The reply is committed by the job, a moment before Hangfire marks the job succeeded.
        await WaitUntilAsync(() => Task.FromResult(storage.GetMonitoringApi().SucceededListCount() > 0), "the job to succeed");
        var job = storage.GetMonitoringApi().SucceededJobs(0, 1).Single();
        var args = storage.GetMonitoringApi().JobDetails(job.Key).Job.Args;
        Assert.Equal(32, ((string)args[0]).Length); // the execution id
        Assert.Equal("buscar-boleto", args[1]);
        Assert.Equal("segunda-via-boleto", args[2]);
        Assert.Equal("5511…", args[3]);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(app.DataFolder, "hangfire*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var text = await reader.ReadToEndAsync();
            Assert.DoesNotContain(FakeUpstream.BoletoToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain("pay.example", text, StringComparison.Ordinal);
        }
    }
}
