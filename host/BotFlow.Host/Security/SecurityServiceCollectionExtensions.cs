using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BotFlow.Host.Security;

public static class SecurityServiceCollectionExtensions
{
    /// <summary>API keys and signed-in users, role policies, antiforgery for cookie requests, and per-caller rate limits.</summary>
    public static IServiceCollection AddBotFlowSecurity(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section)
            .Validate(o => o.ApiKeys.All(k => Roles.All.Contains(k.Role) && !string.IsNullOrWhiteSpace(k.Name) && (!string.IsNullOrEmpty(k.Key) || k.Sha256 is { Length: 64 })),
                "Each BotFlow:Auth:ApiKeys entry needs a Name, a Role (admin, editor, channel, viewer) and a Key or a 64-hex-digit Sha256.")
            .Validate(o => o.Users.All(u => Roles.All.Contains(u.Role) && !string.IsNullOrWhiteSpace(u.Username) && u.PasswordHash.Length > 20),
                "Each BotFlow:Auth:Users entry needs a Username, a Role (admin, editor, channel, viewer) and a PasswordHash made by 'hash-password'.")
            .ValidateOnStart();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<ApiKeyDigests>();
        // The API-key scheme is the default and hands a request to the cookie scheme when it carries the sign-in cookie
        // and no key (what a separate policy scheme did, without a second handler and its tasks on every API call).
        // Registered so the handler provider resolves it from DI instead of through ActivatorUtilities.
        services.AddTransient<ApiKeyAuthenticationHandler>();
        services.AddAuthentication(o =>
            {
                o.AddScheme<ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, displayName: null);
                o.DefaultScheme = ApiKeyAuthenticationHandler.SchemeName;
            })
            .AddCookie(ApiKeyAuthenticationHandler.CookieSchemeName, o =>
            {
                o.Cookie.Name = ApiKeyAuthenticationHandler.CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                // Secure whenever the request is HTTPS (behind TLS in production); plain http only on loopback development.
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.SlidingExpiration = true;
                // An API answers 401/403 ProblemDetails; it never redirects to a login page.
                o.Events.OnRedirectToLogin = context => WriteProblem(context.HttpContext, StatusCodes.Status401Unauthorized, "A credential is required.", "Sign in again (POST /api/auth/sign-in).");
                o.Events.OnRedirectToAccessDenied = context => WriteProblem(context.HttpContext, StatusCodes.Status403Forbidden, "Not allowed.", "Your role may not do this.");
            });
        services.AddOptions<CookieAuthenticationOptions>(ApiKeyAuthenticationHandler.CookieSchemeName)
            .Configure<Microsoft.Extensions.Options.IOptions<AuthOptions>>((cookie, auth) => cookie.ExpireTimeSpan = auth.Value.SessionLifetime);

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Edit, p => p.RequireRole(Roles.Admin, Roles.Editor))
            .AddPolicy(Policies.Read, p => p.RequireRole(Roles.Admin, Roles.Editor, Roles.Viewer))
            .AddPolicy(Policies.Converse, p => p.RequireRole(Roles.Admin, Roles.Editor, Roles.Channel))
            .AddPolicy(Policies.ReadContact, p => p.RequireRole(Roles.Admin, Roles.Editor, Roles.Channel, Roles.Viewer))
            .AddPolicy(Policies.Authenticated, p => p.RequireAuthenticatedUser())
            // An endpoint mapped without a policy is closed, never open by accident.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireRole(Roles.Admin).Build());
        services.Replace(ServiceDescriptor.Singleton<Microsoft.AspNetCore.Authorization.Policy.IPolicyEvaluator, RolePolicyEvaluator>());

        services.AddAntiforgery(o =>
        {
            o.HeaderName = "X-XSRF-TOKEN";
            o.Cookie.Name = ".BotFlow.Antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddSingleton<SignInThrottle>();
        services.AddRateLimiter(RateLimits.Configure);
        return services;
    }

    /// <summary>Cookie-authenticated requests that change state must carry the antiforgery header (CSRF).</summary>
    public static IApplicationBuilder UseBotFlowAntiforgery(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var unsafeMethod = !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsOptions(context.Request.Method);
        if (unsafeMethod && context.User.FindFirst(Claims.AuthMethod)?.Value == Claims.CookieMethod && !context.Request.Path.StartsWithSegments("/api/auth/sign-in"))
        {
            var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
            try
            {
                await antiforgery.ValidateRequestAsync(context);
            }
            catch (AntiforgeryValidationException)
            {
                await WriteProblem(context, StatusCodes.Status400BadRequest, "Missing or invalid antiforgery token.",
                    "Requests signed in with the cookie must send the token from GET /api/auth/antiforgery in the X-XSRF-TOKEN header.");
                return;
            }
        }

        await next(context);
    });

    internal static Task WriteProblem(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return Results.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(context);
    }
}

public static class Claims
{
    public const string AuthMethod = "botflow:auth";
    public const string CookieMethod = "cookie";
}
