using BotFlow.Host.Plugins;
using BotFlow.Host.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BotFlow.Host.Health;

/// <summary>Liveness and readiness: storage reachable and plugins loaded. Says nothing secret.</summary>
public sealed class BotFlowHealthCheck(BotFlowDatabase database, PluginCatalog plugins) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await database.ReadAsync(async c => await BotFlowDatabase.Command(c, "select 1").ExecuteScalarAsync(ct), ct);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("storage is not reachable");
        }

        var failed = plugins.Plugins.Count(p => p.Status == PluginInfo.Failed);
        var data = new Dictionary<string, object> { ["plugins"] = plugins.Plugins.Count, ["failedPlugins"] = failed, ["blockTypes"] = plugins.BlockTypes.Count };
        return failed == 0
            ? HealthCheckResult.Healthy("storage and plugins ready", data)
            : HealthCheckResult.Degraded($"{failed} plugin(s) failed to load; see /api/plugins", data: data);
    }
}

public static class HealthApi
{
    public static IServiceCollection AddBotFlowHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<BotFlowHealthCheck>("botflow");
        return services;
    }

    public static IEndpointRouteBuilder MapBotFlowHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/health", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            // Degraded (a plugin failed) still serves traffic, so it answers 200.
            ResultStatusCodes = { [HealthStatus.Healthy] = 200, [HealthStatus.Degraded] = 200, [HealthStatus.Unhealthy] = 503 },
            ResponseWriter = async (http, report) =>
            {
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsJsonAsync(new
                {
                    status = report.Status.ToString().ToLowerInvariant(),
                    checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString().ToLowerInvariant(), description = e.Value.Description, data = e.Value.Data }),
                });
            },
        }).AllowAnonymous().WithTags("Operators");
        return routes;
    }
}
