using System.Net;
using System.Security.Cryptography;
using System.Text;
using Hangfire.Dashboard;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Jobs;

/// <summary>
/// Who may open the Hangfire dashboard: local requests in Development when no user is configured; otherwise HTTP
/// basic auth against <c>BotFlow:Jobs:DashboardUsers</c> (admin: full, viewer: read-only). With no user configured
/// outside Development the dashboard answers 401 — never open, and never trusting "local" behind a reverse proxy.
/// </summary>
public sealed class DashboardAuthorization(IOptionsMonitor<JobsOptions> options, IHostEnvironment environment) : IDashboardAuthorizationFilter
{
    public const string RoleItem = "botflow.dashboard.role";

    public bool Authorize(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var role = Role(http);
        if (role is null)
        {
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"BotFlow jobs\", charset=\"UTF-8\"";
            return false;
        }

        http.Items[RoleItem] = role;
        return true;
    }

    public static bool IsReadOnly(DashboardContext context) =>
        !string.Equals(context.GetHttpContext().Items[RoleItem] as string, Security.Roles.Admin, StringComparison.Ordinal);

    private string? Role(HttpContext http)
    {
        var users = options.CurrentValue.DashboardUsers;
        if (users.Count == 0)
        {
            var remote = http.Connection.RemoteIpAddress;
            var local = remote is null || IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);
            return environment.IsDevelopment() && local ? Security.Roles.Admin : null;
        }

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
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        foreach (var user in users)
        {
            var expected = user.Password is { Length: > 0 } plain ? SHA256.HashData(Encoding.UTF8.GetBytes(plain))
                : user.PasswordSha256 is { Length: 64 } hex ? Convert.FromHexString(hex) : null;
            if (expected is not null && string.Equals(user.Username, name, StringComparison.Ordinal) && CryptographicOperations.FixedTimeEquals(presented, expected))
            {
                return user.Role;
            }
        }

        return null;
    }
}
