using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Security;

/// <summary>
/// API keys from <c>Authorization: Bearer</c> or <c>X-Api-Key</c>, compared in constant time against every configured
/// key (by SHA-256, so plain and hashed keys are checked the same way; <see cref="ApiKeyDigests"/>). With nothing configured, Development requests
/// from loopback act as admin so the README's run command needs no setup; anywhere else they get 401 saying what to set.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IOptionsMonitor<AuthOptions> auth, ApiKeyDigests digests, IHostEnvironment environment)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "BotFlow.ApiKey";

    public const string CookieSchemeName = "BotFlow.Cookie";

    public const string CookieName = ".BotFlow.Auth";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey();
        if (presented is not null)
        {
            if (digests.Find(auth.CurrentValue, presented) is { } key)
            {
                return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(digests.PrincipalOf(key, PrincipalOfKey), SchemeName)));
            }

            return Task.FromResult(AuthenticateResult.Fail("the API key is not valid"));
        }

        if (!auth.CurrentValue.HasCredentials && auth.CurrentValue.DevelopmentLoopbackIsAdmin && environment.IsDevelopment() && IsLoopback(Context.Connection.RemoteIpAddress))
        {
            return Task.FromResult(Success("development", Roles.Admin, "development-loopback"));
        }

        return Task.FromResult(AuthenticateResult.NoResult());
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        var configured = auth.CurrentValue.HasCredentials;
        await Results.Problem(
            title: "A credential is required.",
            detail: configured
                ? "Send an API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>', or sign in (POST /api/auth/sign-in)."
                : "No credential is configured. Add an API key under BotFlow:Auth:ApiKeys (Name, Role, Key or Sha256), e.g. BotFlow__Auth__ApiKeys__0__Key=..., or a user under BotFlow:Auth:Users (Username, Role, PasswordHash from 'hash-password'), or run in Development from loopback.",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Results.Problem(title: "Not allowed.", detail: "Your role may not do this.", statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(Context);
    }

    internal static bool HasKeyHeader(HttpRequest request) =>
        request.Headers.ContainsKey("X-Api-Key") || request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    private string? PresentedKey()
    {
        if (Request.Headers.TryGetValue("X-Api-Key", out var apiKey) && apiKey.Count > 0 && !string.IsNullOrEmpty(apiKey[0]))
        {
            return apiKey[0];
        }

        var authorization = Request.Headers.Authorization.ToString();
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

