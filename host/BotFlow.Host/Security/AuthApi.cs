using System.Collections.Concurrent;
using System.Security.Claims;
using BotFlow.Host.Errors;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Security;

/// <summary>
/// Slows down repeated failed sign-ins for one user name: each failure in a row doubles the wait before the answer
/// (up to 5 s). Kept in memory: a host that restarts forgets, which only gives an attacker a fresh 10-per-minute limit.
/// </summary>
public sealed class SignInThrottle(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, (int Count, DateTimeOffset Since)> _failures = new(StringComparer.OrdinalIgnoreCase);

    public TimeSpan DelayFor(string user) => _failures.TryGetValue(user, out var f) && f.Count > 0
        ? TimeSpan.FromMilliseconds(Math.Min(5_000, 100 * Math.Pow(2, Math.Min(f.Count, 10))))
        : TimeSpan.Zero;

    /// <summary>When the user name had <paramref name="limit"/> failures within the last minute: how long until it may try again.</summary>
    public TimeSpan? Blocked(string user, int limit)
    {
        if (!_failures.TryGetValue(user, out var f))
        {
            return null;
        }

        var age = clock.GetUtcNow() - f.Since;
        return f.Count >= limit && age < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) - age : null;
    }

    public void Failed(string user)
    {
        var now = clock.GetUtcNow();
        _failures.AddOrUpdate(user, (1, now), (_, f) => now - f.Since > TimeSpan.FromMinutes(1) ? (1, now) : (f.Count + 1, f.Since));
    }

    public void Succeeded(string user) => _failures.TryRemove(user, out _);
}

public static class AuthApi
{
    public sealed record SignInInput(string? Username, string? Password);

    public sealed record Me(string Name, string Role, string Method, string? AntiforgeryToken);

    public static RouteGroupBuilder MapAuth(this IEndpointRouteBuilder routes)
    {
        var auth = routes.MapGroup("/auth").WithTags("Sign-in");
        auth.MapPost("/sign-in", SignIn).AllowAnonymous().WithSummary("Sign in with a user name and password; sets the session cookie").Accepts<SignInInput>("application/json");
        auth.MapPost("/sign-out", SignOut).RequireAuthorization(Policies.Authenticated).WithSummary("End the cookie session");
        auth.MapGet("/me", WhoAmI).RequireAuthorization(Policies.Authenticated).WithSummary("Who is calling, with which role (and an antiforgery token for cookie sessions)");
        auth.MapGet("/antiforgery", Antiforgery).RequireAuthorization(Policies.Authenticated).WithSummary("A token for the X-XSRF-TOKEN header of cookie requests");
        return auth;
    }

    private static async Task<Results<Ok<Me>, ProblemHttpResult>> SignIn(
        HttpContext http, IOptionsMonitor<AuthOptions> options, IOptionsMonitor<RateLimitOptions> limits, SignInThrottle throttle, IAntiforgery antiforgery,
        ILogger<SignInThrottle> logger, CancellationToken ct)
    {
        var (input, problem) = await JsonBody.ReadAsync<SignInInput>(http.Request, ct);
        if (input is null)
        {
            return problem.Value!;
        }

        var username = input.Username?.Trim() ?? "";
        if (throttle.Blocked(username, limits.CurrentValue.SignInPerMinute) is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(title: "Too many failed sign-ins.", detail: $"Try again in {Math.Ceiling(wait.TotalSeconds)} s.", statusCode: StatusCodes.Status429TooManyRequests);
        }

        var user = options.CurrentValue.Users.FirstOrDefault(u => string.Equals(u.Username, username, StringComparison.Ordinal));
        var hasher = new PasswordHasher<AuthUser>();
        var verified = user is not null && !string.IsNullOrEmpty(input.Password)
                       && hasher.VerifyHashedPassword(user, user.PasswordHash, input.Password) != PasswordVerificationResult.Failed;
        if (!verified)
        {
            var delay = throttle.DelayFor(username);
            throttle.Failed(username);
            logger.LogWarning("Failed sign-in for {User} from {Address}", username, http.Connection.RemoteIpAddress);
            await Task.Delay(delay, ct);
            // The same answer whether the user exists or not.
            return TypedResults.Problem(title: "Sign-in failed.", detail: "Unknown user name or wrong password.", statusCode: StatusCodes.Status401Unauthorized);
        }

        throttle.Succeeded(username);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user!.Username), new Claim(ClaimTypes.Role, user.Role), new Claim(Claims.AuthMethod, Claims.CookieMethod)],
            ApiKeyAuthenticationHandler.CookieSchemeName);
        var principal = new ClaimsPrincipal(identity);
        await http.SignInAsync(ApiKeyAuthenticationHandler.CookieSchemeName, principal, new AuthenticationProperties { IsPersistent = false });
        http.User = principal;
        var tokens = antiforgery.GetAndStoreTokens(http);
        return TypedResults.Ok(new Me(user.Username, user.Role, Claims.CookieMethod, tokens.RequestToken));
    }

    private static async Task<NoContent> SignOut(HttpContext http, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        await http.SignOutAsync(ApiKeyAuthenticationHandler.CookieSchemeName);
        return TypedResults.NoContent();
    }

    private static Ok<Me> WhoAmI(HttpContext http, IAntiforgery antiforgery)
    {
        var method = http.User.FindFirst(Claims.AuthMethod)?.Value ?? "unknown";
        var token = method == Claims.CookieMethod ? antiforgery.GetAndStoreTokens(http).RequestToken : null;
        return TypedResults.Ok(new Me(http.User.Identity?.Name ?? "", http.User.FindFirst(ClaimTypes.Role)?.Value ?? "", method, token));
    }

    private static Ok<Me> Antiforgery(HttpContext http, IAntiforgery antiforgery) => WhoAmI(http, antiforgery);
}
