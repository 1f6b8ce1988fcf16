using System.Security.Claims;
using System.Text;
using BotFlow.Host.Security;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Jobs;

/// <summary>
/// Who may open the Hangfire dashboard: the same users and keys as the API (security.md). A signed-in admin (cookie,
/// API key, or the Development loopback admin when nothing is configured) gets every button; a viewer a read-only
/// dashboard; other roles 403. Browsers without a session may use HTTP basic auth with a <c>BotFlow:Auth:Users</c>
/// login. Nothing else: outside Development with no credential configured the dashboard answers 401, and it never
/// trusts "local request" (behind a reverse proxy every request looks local).
/// </summary>
public sealed class DashboardAuthorization(IOptionsMonitor<AuthOptions> options) : IDashboardAuthorizationFilter
{
    public const string RoleItem = "botflow.dashboard.role";

    public bool Authorize(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var role = http.User.Identity?.IsAuthenticated == true ? http.User.FindFirst(ClaimTypes.Role)?.Value : BasicAuthRole(http);
        if (role is not null && http.User.Identity?.IsAuthenticated != true)
        {
            // A right login with too small a role must get 403, which Hangfire gives only to an authenticated user.
            http.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, role)], "Basic"));
        }

        if (role is null)
        {
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"BotFlow jobs\", charset=\"UTF-8\"";
            return false;
        }

        http.Items[RoleItem] = role;
        // Hangfire answers 403 to an authenticated user it refuses, 401 otherwise.
        return role is Roles.Admin or Roles.Viewer;
    }

    public static bool IsReadOnly(DashboardContext context) =>
        !string.Equals(context.GetHttpContext().Items[RoleItem] as string, Roles.Admin, StringComparison.Ordinal);

    private string? BasicAuthRole(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return null;
        }

        var (name, password) = (decoded[..colon], decoded[(colon + 1)..]);
        var user = options.CurrentValue.Users.FirstOrDefault(u => string.Equals(u.Username, name, StringComparison.Ordinal));
        return user is not null && new PasswordHasher<AuthUser>().VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed
            ? user.Role
            : null;
    }
}
