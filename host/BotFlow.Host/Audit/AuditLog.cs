using System.Security.Claims;
using BotFlow.Host.Errors;
using BotFlow.Host.Security;
using BotFlow.Host.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using static BotFlow.Host.Storage.BotFlowDatabase;

namespace BotFlow.Host.Audit;

/// <summary>One change: when, who (user or key name), what, on which resource. Never a value, so never a secret.</summary>
public sealed record AuditEntry(long Seq, DateTimeOffset At, string Actor, string Method, string Action, string Resource, string? ResourceId, int Status);

public interface IAuditLog
{
    Task AppendAsync(string actor, string method, string action, string resource, string? resourceId, int status, CancellationToken ct);

    Task<IReadOnlyList<AuditEntry>> ListAsync(string? resource, string? actor, int limit, CancellationToken ct);
}

public sealed class SqlAuditLog(BotFlowDatabase db, TimeProvider clock) : IAuditLog
{
    public Task AppendAsync(string actor, string method, string action, string resource, string? resourceId, int status, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) => await Command(c,
            "insert into audit (at, actor, method, action, resource, resource_id, status) values (@at, @a, @m, @ac, @r, @id, @s)", tx,
            ("@at", SqlValues.Time(clock.GetUtcNow())), ("@a", actor), ("@m", method), ("@ac", action), ("@r", resource), ("@id", resourceId), ("@s", status))
            .ExecuteNonQueryAsync(ct), ct);

    public Task<IReadOnlyList<AuditEntry>> ListAsync(string? resource, string? actor, int limit, CancellationToken ct) => db.ReadAsync<IReadOnlyList<AuditEntry>>(async c =>
    {
        var list = new List<AuditEntry>();
        await using var reader = await Command(c,
            "select seq, at, actor, method, action, resource, resource_id, status from audit where (@r is null or resource = @r) and (@a is null or actor = @a) order by seq desc limit @l",
            null, ("@r", resource), ("@a", actor), ("@l", limit)).ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new AuditEntry(Long(reader, 0), SqlValues.Time(reader, 1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), SqlValues.NullableString(reader, 6), Int(reader, 7)));
        }

        return list;
    }, ct);
}

/// <summary>
/// Records every state-changing API call and dashboard command after it ran (successful or refused for bad input),
/// from the route alone: the resource is the route's feature, the id its route value. Bodies are never read.
/// </summary>
public static class AuditApi
{
    public static IServiceCollection AddBotFlowAudit(this IServiceCollection services) => services.AddSingleton<IAuditLog, SqlAuditLog>();

    public static RouteGroupBuilder MapAudit(this IEndpointRouteBuilder routes)
    {
        var audit = routes.MapGroup("/audit").WithTags("Audit");
        audit.MapGet("/", List).RequireAuthorization(Policies.Admin).WithSummary("Who changed what, newest first");
        return audit;
    }

    private static async Task<Results<Ok<IReadOnlyList<AuditEntry>>, ProblemHttpResult>> List(IAuditLog log, CancellationToken ct, string? resource = null, string? actor = null, int limit = 100) =>
        limit is < 1 or > 1000 ? Problems.Invalid("limit", "limit is 1 to 1000") : TypedResults.Ok(await log.ListAsync(resource, actor, limit, ct));

    /// <summary>Appends an entry for unsafe requests to <c>/api/*</c> (but sign-in, tests and conversations, which change no configuration) and <c>/hangfire/*</c>.</summary>
    public static IApplicationBuilder UseBotFlowAudit(this IApplicationBuilder app) => app.Use((context, next) =>
        // Reads and activity (conversation messages, tests, sign-in) are never audited: they pass straight on, without
        // an async frame around them (one per conversation message otherwise).
        IsRead(context.Request.Method) || (context.Request.Path.Value is { } p && p.StartsWith("/api/", StringComparison.Ordinal) && IsActivity(p))
            ? next(context)
            : AuditAsync(context, next));

    private static bool IsRead(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    private static async Task AuditAsync(HttpContext context, RequestDelegate next)
    {
        await next(context);
        var request = context.Request;
        if (context.Response.StatusCode is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden or StatusCodes.Status404NotFound)
        {
            return;
        }

        var path = request.Path.Value ?? "";
        string resource;
        string? id;
        string action;
        if (path.StartsWith("/hangfire/", StringComparison.Ordinal))
        {
            // Dashboard commands: /hangfire/jobs/failed/requeue, /hangfire/recurring/trigger …
            resource = "dashboard";
            action = "dashboard " + path["/hangfire/".Length..];
            id = request.HasFormContentType ? string.Join(",", (await request.ReadFormAsync()).Where(f => f.Key.StartsWith("jobs", StringComparison.Ordinal)).SelectMany(f => f.Value.ToArray())) : null;
        }
        else if (path.StartsWith("/api/", StringComparison.Ordinal))
        {
            // Activity paths never get here: UseBotFlowAudit passes them on without auditing.
            var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            resource = segments.Length > 1 ? segments[1] : "api";
            id = segments.Length > 2 ? Uri.UnescapeDataString(segments[2]) : null;
            if (resource == "contacts" && id is not null)
            {
                // A contact id is personal data (a phone number): the audit keeps only enough to tell entries apart.
                id = Jobs.BackgroundRows.Label(id);
            }
            action = $"{request.Method} {string.Join('/', segments.Skip(1).Take(1).Concat(segments.Skip(3)))}".Trim();
        }
        else
        {
            return;
        }

        var actor = context.User.FindFirst(ClaimTypes.Name)?.Value ?? "anonymous";
        await context.RequestServices.GetRequiredService<IAuditLog>().AppendAsync(actor, request.Method, action, resource, id, context.Response.StatusCode, CancellationToken.None);
    }

    /// <summary>Conversation traffic, previews/tests and sign-ins are activity, not changes: not audited.</summary>
    private static bool IsActivity(string path) =>
        path.Contains("/conversations/", StringComparison.Ordinal) || path.StartsWith("/api/integrations/", StringComparison.Ordinal)
        || path.StartsWith("/api/auth/", StringComparison.Ordinal) || (path.StartsWith("/api/block-types/", StringComparison.Ordinal));
}
