using System.Net;
using System.Net.Http.Headers;
using System.Text;
using BotFlow.Host.Tests.Infrastructure;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using static BotFlow.Host.Tests.Jobs.JobsApps;

namespace BotFlow.Host.Tests.Jobs;

[Collection(JobsCollection.Name)]
public sealed class DashboardTests
{
    [Fact]
    public async Task The_dashboard_is_open_to_local_requests_in_development()
    {
        using var app = Create();

        var response = await app.CreateClient().GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("BotFlow jobs", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Without_credentials_outside_development_the_dashboard_answers_401()
    {
        using var app = Create(environment: "Production");

        var response = await app.CreateClient().GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_api_users_sign_in_to_the_dashboard_with_basic_auth_viewers_read_only_editors_refused()
    {
        var hasher = new Microsoft.AspNetCore.Identity.PasswordHasher<BotFlow.Host.Security.AuthUser>();
        using var app = Create(environment: "Production")
            .Set("BotFlow:Auth:Users:0:Username", "ops").Set("BotFlow:Auth:Users:0:PasswordHash", hasher.HashPassword(new(), "s3nha-forte")).Set("BotFlow:Auth:Users:0:Role", "admin")
            .Set("BotFlow:Auth:Users:1:Username", "tv").Set("BotFlow:Auth:Users:1:Role", "viewer").Set("BotFlow:Auth:Users:1:PasswordHash", hasher.HashPassword(new(), "so-olhar"))
            .Set("BotFlow:Auth:Users:2:Username", "ed").Set("BotFlow:Auth:Users:2:Role", "editor").Set("BotFlow:Auth:Users:2:PasswordHash", hasher.HashPassword(new(), "edita"));

        Assert.Equal(HttpStatusCode.OK, (await Client(app, "ops", "s3nha-forte").GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client(app, "ops", "errada").GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient().GetAsync("/hangfire")).StatusCode);

        // Read-only dashboards render no command buttons (and Hangfire refuses their commands).
        app.Services.GetRequiredService<Hangfire.IBackgroundJobClient>().Create<BotFlow.Host.Jobs.IntegrationJobs>(
            j => j.RunTryAsync("none", "b", "f", "c", null, CancellationToken.None), new Hangfire.States.ScheduledState(TimeSpan.FromHours(1)));
        var viewerPage = await Client(app, "tv", "so-olhar").GetStringAsync("/hangfire/jobs/scheduled");
        var adminPage = await Client(app, "ops", "s3nha-forte").GetStringAsync("/hangfire/jobs/scheduled");
        Assert.Contains("js-jobs-list-command", adminPage);
        Assert.DoesNotContain("js-jobs-list-command", viewerPage);
        var command = await Client(app, "tv", "so-olhar").PostAsync("/hangfire/jobs/scheduled/enqueue", new FormUrlEncodedContent([new("jobs[]", "1")]));
        Assert.False(command.IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Client(app, "ed", "edita").GetAsync("/hangfire")).StatusCode);
    }

    private static HttpClient Client(BotFlowApp app, string user, string password)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }
}
