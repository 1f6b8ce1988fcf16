using System.Net;
using System.Text.RegularExpressions;
using BotFlow.Host.Security;
using BotFlow.Host.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace BotFlow.Host.Tests.Security;

/// <summary>
/// Every endpoint the app maps, called with no credential, a wrong key and each role's key: 401, 401, then 403 or
/// allowed exactly as security.md's table says. An endpoint mapped without one of the known policies fails here.
/// </summary>
public sealed partial class AuthorizationMatrixTests
{
    private static readonly Dictionary<string, string[]> AllowedRoles = new()
    {
        [Policies.Admin] = [Roles.Admin],
        [Policies.Edit] = [Roles.Admin, Roles.Editor],
        [Policies.Read] = [Roles.Admin, Roles.Editor, Roles.Viewer],
        [Policies.Converse] = [Roles.Admin, Roles.Editor, Roles.Channel],
        [Policies.ReadContact] = Roles.All,
        [Policies.Authenticated] = Roles.All,
    };

    /// <summary>
    /// The only endpoints anyone may call: liveness, sign-in, the editor's entry, the dashboard (which checks its own users)
    /// and the channel webhooks that providers call (each channel checks the provider's signature; see ChannelWebhookTests).
    /// </summary>
    private static readonly HashSet<string> Anonymous =
        ["* /health", "POST /api/auth/sign-in", "* /hangfire/{**path}", "GET /channels/{channelId}/webhook", "POST /channels/{channelId}/webhook"];

    /// <summary>The editor's deep-link fallback (index.html: a bundle with no data) is public too.</summary>
    private static bool IsEditorFallback(string name) =>
        name.StartsWith("GET /{*path:nonfile", StringComparison.Ordinal) || name.StartsWith("HEAD /{*path:nonfile", StringComparison.Ordinal);

    [GeneratedRegex(@"\{([^}:=?*]+)[^}]*\}")]
    private static partial Regex RouteParameter();

    [Fact]
    public async Task Every_endpoint_answers_401_403_or_allowed_exactly_as_the_role_table_says()
    {
        using var app = new BotFlowApp(environment: "Production");
        foreach (var role in Roles.All)
        {
            var index = Array.IndexOf(Roles.All, role);
            app.Set($"BotFlow:Auth:ApiKeys:{index}:Name", role + "-key").Set($"BotFlow:Auth:ApiKeys:{index}:Role", role).Set($"BotFlow:Auth:ApiKeys:{index}:Key", $"key-for-{role}-0123456789");
        }

        app.CreateClient();
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.True(endpoints.Count > 25, $"only {endpoints.Count} endpoints found");
        var checkedCount = 0;
        var problems = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"];
            foreach (var method in methods)
            {
                var name = $"{method} {pattern}";
                if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
                {
                    if (!Anonymous.Contains(name) && !IsEditorFallback(name))
                    {
                        problems.Add($"{name} allows anonymous access but is not in the allow-list");
                    }

                    continue;
                }

                var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).Where(p => p is not null).Distinct().ToList();
                if (policies.Count != 1 || !AllowedRoles.TryGetValue(policies[0]!, out var allowed))
                {
                    problems.Add($"{name} has policies [{string.Join(", ", policies)}]: every endpoint needs exactly one BotFlow policy");
                    continue;
                }

                var url = RouteParameter().Replace(pattern, m => m.Groups[1].Value.ToLowerInvariant() switch
                {
                    "type" => "integration",
                    _ => "x1",
                });
                await Expect(app, method, url, null, HttpStatusCode.Unauthorized, name + " without a credential", problems);
                await Expect(app, method, url, "wrong-key-000", HttpStatusCode.Unauthorized, name + " with a wrong key", problems);
                foreach (var role in Roles.All)
                {
                    await Expect(app, method, url, $"key-for-{role}-0123456789", allowed.Contains(role) ? null : HttpStatusCode.Forbidden, $"{name} as {role}", problems);
                }

                checkedCount++;
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(checkedCount > 25);
    }

    private static async Task Expect(BotFlowApp app, string method, string url, string? key, HttpStatusCode? expected, string what, List<string> problems)
    {
        var client = app.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = BotFlowApp.Json("{}");
        }

        var status = (await client.SendAsync(request)).StatusCode;
        if (expected is { } exact ? status != exact : status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            problems.Add($"{what}: got {(int)status}, expected {(expected is null ? "allowed" : ((int)expected).ToString(System.Globalization.CultureInfo.InvariantCulture))}");
        }
    }
}
