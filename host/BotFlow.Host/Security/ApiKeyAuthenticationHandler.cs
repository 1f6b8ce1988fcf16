using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Security;

/// <summary>
/// API keys from <c>Authorization: Bearer</c> or <c>X-Api-Key</c>, compared in constant time against every configured
/// key (by SHA-256, so plain and hashed keys are checked the same way; <see cref="ApiKeyDigests"/>). With nothing configured, Development requests
/// from loopback act as admin so the README's run command needs no setup; anywhere else they get 401 saying what to set.
/// A request that carries the sign-in cookie and no key is handed to the cookie scheme (authenticate, challenge, forbid).
/// <para>
/// It implements <see cref="IAuthenticationHandler"/> itself rather than deriving from <c>AuthenticationHandler&lt;T&gt;</c>:
/// the base class, made once per request, creates a logger through the factory's lock, looks its options up, builds an
/// events object and runs three layers of async methods, none of which a key check needs (docs/benchmarks.md,
/// "Thirteenth pass").
/// </para>
/// </summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthOptions> auth, ApiKeyDigests digests, IHostEnvironment environment)
    : IAuthenticationHandler
{
    public const string SchemeName = "BotFlow.ApiKey";

    public const string CookieSchemeName = "BotFlow.Cookie";

    public const string CookieName = ".BotFlow.Auth";

    private HttpContext _context = null!;

    // One result per request, as the base class keeps it: the authorization policy or an endpoint may ask again.
    private Task<AuthenticateResult>? _result;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        return Task.CompletedTask;
    }

    public Task<AuthenticateResult> AuthenticateAsync() => _result ??= AuthenticateOnce();

    private Task<AuthenticateResult> AuthenticateOnce()
    {
        var presented = PresentedKey(_context.Request);
        if (presented is not null)
        {
            return Task.FromResult(digests.Find(auth.CurrentValue, presented) is { } key
                ? AuthenticateResult.Success(new AuthenticationTicket(digests.PrincipalOf(key, PrincipalOfKey), SchemeName))
                : AuthenticateResult.Fail("the API key is not valid"));
        }

        if (ForwardsToCookie(_context.Request))
        {
            return _context.AuthenticateAsync(CookieSchemeName);
        }

        if (!auth.CurrentValue.HasCredentials && auth.CurrentValue.DevelopmentLoopbackIsAdmin && environment.IsDevelopment() && IsLoopback(_context.Connection.RemoteIpAddress))
        {
            return Task.FromResult(Success("development", Roles.Admin, "development-loopback"));
        }

        return Task.FromResult(AuthenticateResult.NoResult());
    }

    public Task ChallengeAsync(AuthenticationProperties? properties)
    {
        if (ForwardsToCookie(_context.Request))
        {
            return _context.ChallengeAsync(CookieSchemeName, properties);
        }

        _context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        var configured = auth.CurrentValue.HasCredentials;
        return Results.Problem(
            title: "A credential is required.",
            detail: configured
                ? "Send an API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>', or sign in (POST /api/auth/sign-in)."
                : "No credential is configured. Add an API key under BotFlow:Auth:ApiKeys (Name, Role, Key or Sha256), e.g. BotFlow__Auth__ApiKeys__0__Key=..., or a user under BotFlow:Auth:Users (Username, Role, PasswordHash from 'hash-password'), or run in Development from loopback.",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(_context);
    }

    public Task ForbidAsync(AuthenticationProperties? properties)
    {
        if (ForwardsToCookie(_context.Request))
        {
            return _context.ForbidAsync(CookieSchemeName, properties);
        }

        _context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Results.Problem(title: "Not allowed.", detail: "Your role may not do this.", statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(_context);
    }

    /// <summary>The cookie scheme answers for a request that carries its cookie and no API key header.</summary>
    private static bool ForwardsToCookie(HttpRequest request) => !HasKeyHeader(request) && HasCookie(request);

    private static bool HasKeyHeader(HttpRequest request) =>
        request.Headers.ContainsKey("X-Api-Key") || request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    private static bool HasCookie(HttpRequest request) => request.Cookies.ContainsKey(CookieName);

    private static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Api-Key", out var apiKey) && apiKey.Count > 0 && !string.IsNullOrEmpty(apiKey[0]))
        {
            return apiKey[0];
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
    }

    private static bool IsLoopback(IPAddress? address) => address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address)
        || address is null; // in-process test servers have no remote address

    private static readonly Func<ApiKeyOptions, ClaimsPrincipal> PrincipalOfKey = key => Principal(key.Name, key.Role, "api-key");

    private static ClaimsPrincipal Principal(string name, string role, string method) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role), new Claim("botflow:auth", method)], SchemeName));

    private static AuthenticateResult Success(string name, string role, string method) =>
        AuthenticateResult.Success(new AuthenticationTicket(Principal(name, role, method), SchemeName));
}

