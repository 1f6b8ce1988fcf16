using System.Net;
using BotFlow.Host.Security;
using BotFlow.Host.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Security;

public sealed class SignInTests
{
    private static BotFlowApp WithUsers() => new BotFlowApp(environment: "Production")
        .Set("BotFlow:Auth:Users:0:Username", "ana").Set("BotFlow:Auth:Users:0:Role", "editor")
        .Set("BotFlow:Auth:Users:0:PasswordHash", new PasswordHasher<AuthUser>().HashPassword(new(), "correct horse battery"))
        .Set("BotFlow:RateLimits:SignInPerMinute", "3");

    private static HttpClient CookieClient(BotFlowApp app) =>
        app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = true, BaseAddress = new Uri("https://localhost") });

    [Fact]
    public async Task A_user_signs_in_with_a_cookie_and_cookie_requests_that_change_state_need_the_antiforgery_token()
    {
        using var app = WithUsers();
        var client = CookieClient(app);

        var signIn = await client.PostAsync("/api/auth/sign-in", Json("""{"username":"ana","password":"correct horse battery"}"""));
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").First(c => c.StartsWith(".BotFlow.Auth", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        var me = await ReadAsync(signIn);
        Assert.Equal("editor", (string?)me["role"]);
        var token = (string)me["antiforgeryToken"]!;

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/flows")).StatusCode);
        var withoutToken = await client.PutAsync("/api/fields/cpf", Json("""{"label":"CPF","type":"cpf"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        Assert.Contains("antiforgery", (string?)(await ReadAsync(withoutToken))["title"], StringComparison.OrdinalIgnoreCase);

        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/fields/cpf") { Content = Json("""{"label":"CPF","type":"cpf"}""") };
        request.Headers.Add("X-XSRF-TOKEN", token);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);

        // An editor may not touch secrets (admin only).
        using var secret = new HttpRequestMessage(HttpMethod.Put, "/api/secrets/x") { Content = Json("""{"value":"y"}""") };
        secret.Headers.Add("X-XSRF-TOKEN", token);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(secret)).StatusCode);

        using var signOut = new HttpRequestMessage(HttpMethod.Post, "/api/auth/sign-out");
        signOut.Headers.Add("X-XSRF-TOKEN", token);
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(signOut)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/flows")).StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_are_refused_the_same_way_and_repeated_failures_get_429_with_retry_after()
    {
        using var app = WithUsers();
        var client = CookieClient(app);

        var wrong = await client.PostAsync("/api/auth/sign-in", Json("""{"username":"ana","password":"nope"}"""));
        var unknown = await client.PostAsync("/api/auth/sign-in", Json("""{"username":"ghost","password":"nope"}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal((await ReadAsync(wrong))["detail"]!.ToString(), (await ReadAsync(unknown))["detail"]!.ToString());

        await client.PostAsync("/api/auth/sign-in", Json("""{"username":"ana","password":"nope"}"""));
        var limited = await client.PostAsync("/api/auth/sign-in", Json("""{"username":"ana","password":"nope"}"""));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter is not null);
    }

    [Fact]
    public void The_hash_password_command_makes_a_hash_the_host_accepts()
    {
        var hash = new PasswordHasher<AuthUser>().HashPassword(new(), "s3nha");

        Assert.NotEqual(PasswordVerificationResult.Failed, new PasswordHasher<AuthUser>().VerifyHashedPassword(new(), hash, "s3nha"));
        Assert.Equal(PasswordVerificationResult.Failed, new PasswordHasher<AuthUser>().VerifyHashedPassword(new(), hash, "outra"));
    }
}
