using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Security;

/// <summary>Limits on what one caller can make the server do (security.md). Section <c>BotFlow:RateLimits</c>.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "BotFlow:RateLimits";

    /// <summary>Messages one contact may send per minute to the conversation endpoints. Default 60.</summary>
    [Range(1, 1_000_000)] public int ConversationPerContactPerMinute { get; set; } = 60;

    /// <summary>Conversation requests one key or user may make per second (all contacts together). Default 20,000.</summary>
    [Range(1, 10_000_000)] public int ConversationPerCallerPerSecond { get; set; } = 20_000;

    /// <summary>Integration tests (the server calls out) one key or user may run per minute. Default 30.</summary>
    [Range(1, 100_000)] public int IntegrationTestsPerCallerPerMinute { get; set; } = 30;

    /// <summary>Sign-in attempts per client address per minute, and failed ones per user name per minute. Default 10.</summary>
    [Range(1, 10_000)] public int SignInPerMinute { get; set; } = 10;
}

/// <summary>One global chain of limiters; each only counts the endpoints it is about, so everything else is never limited.</summary>
public static class RateLimits
{
    public static void Configure(RateLimiterOptions options)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.OnRejected = async (context, ct) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var delay) ? delay : TimeSpan.FromSeconds(60);
            context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await SecurityServiceCollectionExtensions.WriteProblem(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests.",
                $"Slow down: try again in {Math.Ceiling(retryAfter.TotalSeconds)} s.");
        };
        options.GlobalLimiter = PartitionedRateLimiter.CreateChained(
            new ContactMessageLimiter(c => IsConversation(c) ? c.Request.RouteValues["contactId"] as string : null, c => Settings(c).ConversationPerContactPerMinute, TimeProvider.System),
            PartitionedRateLimiter.Create<HttpContext, string>(PerCallerConversation),
            PartitionedRateLimiter.Create<HttpContext, string>(PerCallerIntegrationTest),
            PartitionedRateLimiter.Create<HttpContext, string>(SignInPerAddress));
    }

    private static RateLimitOptions Settings(HttpContext context) => context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().CurrentValue;

    private static bool IsConversation(HttpContext c) => HttpMethods.IsPost(c.Request.Method) && c.Request.RouteValues.ContainsKey("contactId") && c.Request.RouteValues.ContainsKey("flowId");

    private static string Caller(HttpContext c) => c.User.FindFirst(ClaimTypes.Name)?.Value ?? c.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static RateLimitPartition<string> PerCallerConversation(HttpContext c) => !IsConversation(c)
        ? RateLimitPartition.GetNoLimiter("none")
        : RateLimitPartition.GetTokenBucketLimiter("caller:" + Caller(c), _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Settings(c).ConversationPerCallerPerSecond, TokensPerPeriod = Settings(c).ConversationPerCallerPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true,
        });

    private static RateLimitPartition<string> PerCallerIntegrationTest(HttpContext c) =>
        !(HttpMethods.IsPost(c.Request.Method) && (c.Request.Path.StartsWithSegments("/api/integrations/test") || (c.Request.Path.StartsWithSegments("/api/block-types") && c.Request.Path.Value!.EndsWith("/test", StringComparison.Ordinal))))
            ? RateLimitPartition.GetNoLimiter("none")
            : RateLimitPartition.GetFixedWindowLimiter("test:" + Caller(c), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = Settings(c).IntegrationTestsPerCallerPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
            });

    private static bool IsSignIn(HttpContext c) => HttpMethods.IsPost(c.Request.Method) && c.Request.Path.StartsWithSegments("/api/auth/sign-in");

    private static RateLimitPartition<string> SignInPerAddress(HttpContext c) => !IsSignIn(c)
        ? RateLimitPartition.GetNoLimiter("none")
        : RateLimitPartition.GetFixedWindowLimiter("signin-ip:" + c.Connection.RemoteIpAddress, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Settings(c).SignInPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
        });
}
