using System.Net;
using System.Net.Http.Headers;
using System.Text;
using BotFlow.Host.Tests.Infrastructure;
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
    public async Task Dashboard_users_sign_in_with_basic_auth_and_viewers_are_read_only()
    {
        using var app = Create(environment: "Production")
            .Set("BotFlow:Jobs:DashboardUsers:0:Username", "ops").Set("BotFlow:Jobs:DashboardUsers:0:Password", "s3nha-forte").Set("BotFlow:Jobs:DashboardUsers:0:Role", "admin")
            .Set("BotFlow:Jobs:DashboardUsers:1:Username", "tv").Set("BotFlow:Jobs:DashboardUsers:1:Role", "viewer")
            .Set("BotFlow:Jobs:DashboardUsers:1:PasswordSha256", Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("so-olhar"u8)));

        Assert.Equal(HttpStatusCode.OK, (await Client(app, "ops", "s3nha-forte").GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client(app, "ops", "errada").GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient().GetAsync("/hangfire")).StatusCode);

        var viewer = Client(app, "tv", "so-olhar");
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/hangfire/jobs/failed")).StatusCode);
        var command = await viewer.PostAsync("/hangfire/jobs/failed/requeue", new FormUrlEncodedContent([new("jobs[]", "1")]));
        Assert.False(command.IsSuccessStatusCode);
        var adminCommand = await Client(app, "ops", "s3nha-forte").PostAsync("/hangfire/jobs/failed/requeue", new FormUrlEncodedContent([new("jobs[]", "1")]));
        Assert.True(adminCommand.IsSuccessStatusCode);
    }

    private static HttpClient Client(BotFlowApp app, string user, string password)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }
}
