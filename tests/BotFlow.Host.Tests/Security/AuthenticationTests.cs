using System.Net;
using BotFlow.Host.Tests.Infrastructure;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Security;

public sealed class AuthenticationTests
{
    [Fact]
    public async Task Outside_development_with_nothing_configured_the_api_answers_401_saying_what_to_set()
    {
        using var app = new BotFlowApp(environment: "Production");

        var response = await app.CreateClient().GetAsync("/api/flows");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("BotFlow:Auth:ApiKeys", (string?)(await ReadAsync(response))["detail"]);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task Api_keys_authenticate_and_roles_limit_what_they_may_do()
    {
        using var app = new BotFlowApp(environment: "Production")
            .Set("BotFlow:Auth:ApiKeys:0:Name", "ci").Set("BotFlow:Auth:ApiKeys:0:Role", "admin").Set("BotFlow:Auth:ApiKeys:0:Key", "admin-key-123")
            .Set("BotFlow:Auth:ApiKeys:1:Name", "dash").Set("BotFlow:Auth:ApiKeys:1:Role", "viewer")
            .Set("BotFlow:Auth:ApiKeys:1:Sha256", Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("viewer-key-456"u8)));
        var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", "admin-key-123");
        var viewer = app.CreateClient();
        viewer.DefaultRequestHeaders.Add("X-Api-Key", "viewer-key-456");
        var wrong = app.CreateClient();
        wrong.DefaultRequestHeaders.Add("X-Api-Key", "nope");

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/api/fields/cpf", Json("""{"label":"CPF","type":"cpf"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/fields")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsync("/api/fields/x", Json("""{"label":"X","type":"text"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/fields")).StatusCode);
    }
}
