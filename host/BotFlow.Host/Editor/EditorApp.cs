using BotFlow.Host.Security;

namespace BotFlow.Host.Editor;

/// <summary>
/// Serves the web editor (host/BotFlow.Editor, built into wwwroot by build/BotFlow.Editor.targets) at <c>/</c>.
/// The bundle holds no data, so it is public: every call it makes goes through the API's own policies.
/// </summary>
public static class EditorApp
{
    /// <summary>
    /// Paths the editor's client-side routes never use: an unknown <c>/api/…</c> must stay a 404 ProblemDetails,
    /// and the dashboard, OpenAPI, Swagger UI and health keep their own handlers.
    /// </summary>
    private const string ClientRoutes = @"^(?!(api|hangfire|openapi|api-docs|health)(/|$)).*$";

    /// <summary>Static files run before authentication, so the auth fallback policy (admin) never applies to the bundle.</summary>
    public static IApplicationBuilder UseBotFlowEditor(this IApplicationBuilder app) => app.UseDefaultFiles().UseStaticFiles();

    /// <summary>Client-side routes (deep links) answer index.html.</summary>
    public static IEndpointConventionBuilder MapBotFlowEditor(this IEndpointRouteBuilder routes) =>
        routes.MapFallbackToFile($"{{*path:nonfile:regex({ClientRoutes})}}", "index.html").AllowAnonymous().ExcludeFromDescription();
}
