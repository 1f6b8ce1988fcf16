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
        options.GlobalLimiter = new RoutedLimiter(
            new ContactMessageLimiter(c => c.Request.RouteValues["contactId"] as string, c => Settings(c).ConversationPerContactPerMinute, TimeProvider.System),
            PartitionedRateLimiter.Create<HttpContext, (string, int)>(PerCallerConversation),
            PartitionedRateLimiter.Create<HttpContext, (string, int)>(PerCallerIntegrationTest),
            PartitionedRateLimiter.Create<HttpContext, (string, int)>(SignInPerAddress));
    }

    private static RateLimitOptions Settings(HttpContext context) => context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().CurrentValue;

    internal enum Kind
    {
        Other,
        Conversation,
        IntegrationTest,
        SignIn,
    }

    /// <summary>Which limit a request is about: looked at once per request.</summary>
    internal static Kind KindOf(HttpContext c)
    {
        if (!HttpMethods.IsPost(c.Request.Method))
        {
            return Kind.Other;
        }

        var routeValues = c.Request.RouteValues;
        if (routeValues.ContainsKey("contactId") && routeValues.ContainsKey("flowId"))
        {
            return Kind.Conversation;
        }

        var path = c.Request.Path;
        if (path.StartsWithSegments("/api/integrations/test") || (path.StartsWithSegments("/api/block-types") && path.Value!.EndsWith("/test", StringComparison.Ordinal)))
        {
            return Kind.IntegrationTest;
        }

        return path.StartsWithSegments("/api/auth/sign-in") ? Kind.SignIn : Kind.Other;
    }

    private static string Caller(HttpContext c) => c.User.FindFirst(ClaimTypes.Name)?.Value ?? c.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    // Each limiter below is asked only about its own kind of request (RoutedLimiter). The limit is part of the partition
    // key, so a changed setting takes effect at once (a new bucket) and the factory captures nothing per request.
    private static RateLimitPartition<(string, int)> PerCallerConversation(HttpContext c) =>
        RateLimitPartition.GetTokenBucketLimiter((Caller(c), Settings(c).ConversationPerCallerPerSecond), static key => new TokenBucketRateLimiterOptions
        {
            TokenLimit = key.Item2, TokensPerPeriod = key.Item2, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true,
        });

    private static RateLimitPartition<(string, int)> PerCallerIntegrationTest(HttpContext c) =>
        RateLimitPartition.GetFixedWindowLimiter((Caller(c), Settings(c).IntegrationTestsPerCallerPerMinute), PerMinute);

    /// <summary>The window of a (who, limit) partition: its limit per minute, refused at once past it.</summary>
    private static readonly Func<(string, int), FixedWindowRateLimiterOptions> PerMinute = static key => new FixedWindowRateLimiterOptions
    {
        PermitLimit = key.Item2, Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
    };

    private static RateLimitPartition<(string, int)> SignInPerAddress(HttpContext c) =>
        RateLimitPartition.GetFixedWindowLimiter((c.Connection.RemoteIpAddress?.ToString() ?? "unknown", Settings(c).SignInPerMinute), PerMinute);
}

/// <summary>
/// The global limiter: asks only the limiters a request is about, and lets everything else through without a lease.
/// A chain of all four (<c>PartitionedRateLimiter.CreateChained</c>) asked each of them on every request — a partition
/// worked out, a lock and a lookup per limiter and a combined lease — about 1.7% of a conversation step's CPU
/// (docs/benchmarks.md, twelfth pass).
/// </summary>
internal sealed class RoutedLimiter(
    ContactMessageLimiter perContact, PartitionedRateLimiter<HttpContext> perCaller, PartitionedRateLimiter<HttpContext> integrationTests,
    PartitionedRateLimiter<HttpContext> signIns) : PartitionedRateLimiter<HttpContext>
{
    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount)
    {
        switch (RateLimits.KindOf(resource))
        {
            case RateLimits.Kind.Conversation:
                // The contact's lease holds nothing to give back (its limiter counts messages, it does not hold permits),
                // so only the caller's lease is returned.
                var contact = perContact.AttemptAcquire(resource, permitCount);
                return contact.IsAcquired ? perCaller.AttemptAcquire(resource, permitCount) : contact;
            case RateLimits.Kind.IntegrationTest:
                return integrationTests.AttemptAcquire(resource, permitCount);
            case RateLimits.Kind.SignIn:
                return signIns.AttemptAcquire(resource, permitCount);
            default:
                return NoLimit.Instance;
        }
    }

    // Every limit here refuses at once (no queue), so waiting is the same as attempting.
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            perContact.Dispose();
            perCaller.Dispose();
            integrationTests.Dispose();
            signIns.Dispose();
        }
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await perContact.DisposeAsync();
        await perCaller.DisposeAsync();
        await integrationTests.DisposeAsync();
        await signIns.DisposeAsync();
    }

    private sealed class NoLimit : RateLimitLease
    {
        public static readonly NoLimit Instance = new();

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
