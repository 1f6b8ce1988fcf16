using System.Net;
using BotFlow.Host.Tests.Infrastructure;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;
using static BotFlow.Host.Tests.Jobs.JobsApps;

namespace BotFlow.Host.Tests.Jobs;

[Collection(JobsCollection.Name)]
public sealed class ScheduleAndRecurringTests
{
    private static JObject BoletoIntegration(FakeUpstream upstream) => (JObject)JObject.Parse(upstream.Rewrite(Samples.Flow("segunda-via-boleto")))["blocks"]![2]!["config"]!;

    [Fact]
    public async Task A_schedule_block_runs_its_integration_later_and_sends_the_message_then()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = Create();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        var flow = new JObject
        {
            ["id"] = "lembrete",
            ["start"] = "agendar",
            ["blocks"] = new JArray(
                new JObject { ["id"] = "agendar", ["type"] = "schedule", ["config"] = new JObject { ["delay"] = "00:00:01", ["integration"] = BoletoIntegration(upstream) }, ["next"] = "fim" },
                new JObject { ["id"] = "fim", ["type"] = "end", ["config"] = new JObject { ["text"] = "Vou te mandar o boleto em instantes." } }),
        };
        await app.PutFlowAsync(flow.ToString());

        var answer = await app.SendAsync("lembrete", "5511933332222", "oi", new { name = "Ana", email = "a@b.co", cpf = "52998224725" });

        Assert.Equal(["Vou te mandar o boleto em instantes."], Replies(answer));
        Assert.Empty(upstream.Requests);
        await WaitUntilAsync(async () => (await OutgoingAsync(app, "5511933332222")).Contains("Seu boleto: https://pay.example/b/52998224725"), "the scheduled message");
        var execution = (await ExecutionsAsync(app, "&contactId=5511933332222"))[0];
        Assert.Equal("scheduled", (string?)execution["kind"]);
        Assert.Equal("success", (string?)execution["outcome"]);
    }

    [Fact]
    public async Task A_schedule_at_a_template_time_is_validated_and_scheduled_in_the_time_zone()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = Create();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        var invalid = await app.CreateClient().PutAsync("/api/flows/ruim", Json(new JObject
        {
            ["id"] = "ruim", ["start"] = "a",
            ["blocks"] = new JArray(new JObject { ["id"] = "a", ["type"] = "schedule", ["config"] = new JObject { ["delay"] = "amanhã", ["integration"] = new JObject { ["method"] = "GET" } } }),
        }.ToString()));

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var paths = (await ReadAsync(invalid))["errors"]!.Select(e => (string)e["path"]!).ToList();
        Assert.Contains("config.delay", paths);
        Assert.Contains("config.integration.url", paths);

        var flow = new JObject
        {
            ["id"] = "vencimento", ["start"] = "a",
            ["blocks"] = new JArray(new JObject { ["id"] = "a", ["type"] = "schedule", ["config"] = new JObject { ["at"] = "2099-12-01 09:00", ["integration"] = BoletoIntegration(upstream) } }),
        };
        await app.PutFlowAsync(flow.ToString());
        await app.SendAsync("vencimento", "c1", "oi", new { name = "Ana", email = "a@b.co", cpf = "52998224725" });

        var scheduled = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi().ScheduledJobs(0, 10).Single();
        Assert.Equal(new DateTime(2099, 12, 1, 12, 0, 0, DateTimeKind.Utc), scheduled.Value.EnqueueAt); // 09:00 in São Paulo (UTC-3)
    }

    [Fact]
    public async Task A_recurring_integration_is_validated_listed_shown_on_the_dashboard_and_recorded_when_it_runs()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = Create();
        var client = app.CreateClient();

        var badCron = await client.PutAsync("/api/recurring/noturno", Json("""{ "cron": "every minute", "config": { "method": "GET", "url": "http://x.example" } }"""));
        Assert.Equal(HttpStatusCode.BadRequest, badCron.StatusCode);
        Assert.Equal("cron", (string?)(await ReadAsync(badCron))["errors"]![0]!["path"]);

        var put = await client.PutAsync("/api/recurring/noturno", Json($$"""{ "cron": "* * * * *", "timeZone": "America/Sao_Paulo", "config": { "method": "GET", "url": "{{upstream.BaseUrl}}/redirect/0" } }"""));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var list = await ReadAsync(await client.GetAsync("/api/recurring"), expectSuccess: true);
        Assert.Equal("noturno", (string?)list["items"]![0]!["id"]);
        Assert.NotNull((DateTime?)list["items"]![0]!["nextRun"]);
        Assert.Contains("recurring:noturno", await client.GetStringAsync("/hangfire/recurring"));

        // What the dashboard's "Trigger now" does: no waiting a minute for the cron.
        app.Services.GetRequiredService<IRecurringJobManager>().Trigger("recurring:noturno");
        await WaitUntilAsync(async () => (await ExecutionsAsync(app)).Any(e => (string?)e["kind"] == "recurring"), "the recurring run");

        var execution = (await ExecutionsAsync(app)).First(e => (string?)e["kind"] == "recurring");
        Assert.Equal("success", (string?)execution["outcome"]);
        Assert.Equal("noturno", (string?)execution["blockId"]);
        Assert.Null((string?)execution["contactId"]);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/recurring/noturno")).StatusCode);
        Assert.DoesNotContain("recurring:noturno", await client.GetStringAsync("/hangfire/recurring"));
    }

    [Fact]
    public async Task Run_in_background_takes_success_at_once_and_the_job_sends_the_message()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = Create();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        var config = BoletoIntegration(upstream);
        config["runInBackground"] = true;
        await app.PutFlowAsync(new JObject
        {
            ["id"] = "fogo", ["start"] = "a",
            ["blocks"] = new JArray(
                new JObject { ["id"] = "a", ["type"] = "integration", ["config"] = config, ["exits"] = new JObject { ["success"] = "b" } },
                new JObject { ["id"] = "b", ["type"] = "end", ["config"] = new JObject { ["text"] = "Pedido recebido." } }),
        }.ToString());

        var answer = await app.SendAsync("fogo", "5511922221111", "oi", new { name = "Ana", email = "a@b.co", cpf = "52998224725" });

        Assert.Equal(["Pedido recebido."], Replies(answer));
        await WaitUntilAsync(async () => (await OutgoingAsync(app, "5511922221111")).Contains("Seu boleto: https://pay.example/b/52998224725"), "the background message");
    }
}
