namespace BotFlow.Host.Security;

/// <summary>
/// Security headers (security.md): everywhere no MIME sniffing and no referrer; on the editor's pages a
/// Content-Security-Policy that allows no inline script and no framing. The Hangfire dashboard and the API page ship
/// their own inline scripts, so they get the basic headers only.
/// </summary>
public static class SecurityHeaders
{
    public const string EditorPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseBotFlowSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        var path = context.Request.Path;
        if (!path.StartsWithSegments("/hangfire") && !path.StartsWithSegments("/api-docs") && !path.StartsWithSegments("/api")
            && !path.StartsWithSegments("/openapi") && !path.StartsWithSegments("/health"))
        {
            headers.ContentSecurityPolicy = EditorPolicy;
            headers.XFrameOptions = "DENY";
        }

        return next(context);
    });
}
