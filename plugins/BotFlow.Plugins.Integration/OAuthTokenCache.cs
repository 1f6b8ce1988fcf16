using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using BotFlow.Sdk.Http;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace BotFlow.Plugins.Integration;

/// <summary>
/// OAuth2 client-credentials tokens, fetched once and reused until shortly before they expire. Each host keeps its own
/// tokens: a token is a partner-issued credential, not shared state hosts must agree on.
/// </summary>
public sealed class OAuthTokenCache(IOutboundHttp http, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset ExpiresAt)> _tokens = new(StringComparer.Ordinal);

    public sealed record Settings(string TokenUrl, string ClientId, string ClientSecret, string? Scope);

    public async Task<(string? Token, string? Error)> GetAsync(Settings settings, bool forceRefresh, TimeSpan timeout, CancellationToken ct)
    {
        var key = Key(settings);
        if (!forceRefresh && _tokens.TryGetValue(key, out var cached) && cached.ExpiresAt > clock.GetUtcNow())
        {
            return (cached.Token, null);
        }

        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "client_credentials"), new("client_id", settings.ClientId), new("client_secret", settings.ClientSecret),
        };
        if (!string.IsNullOrWhiteSpace(settings.Scope))
        {
            form.Add(new("scope", settings.Scope));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, settings.TokenUrl) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Accept.ParseAdd("application/json");
        var response = await http.SendAsync(request, new OutboundOptions { Timeout = timeout, MaxResponseBytes = 64 * 1024 }, ct);
        if (response.ErrorKind != OutboundErrorKind.None)
        {
            return (null, "token request failed: " + response.Error);
        }

        if (response.Status is < 200 or > 299)
        {
            return (null, $"token request answered HTTP {response.Status}");
        }

        try
        {
            var json = JsonPlain.Parse(Encoding.UTF8.GetString(response.Body)) as JObject;
            var token = (string?)json?["access_token"];
            if (string.IsNullOrEmpty(token))
            {
                return (null, "token response has no access_token");
            }

            var lifetime = TimeSpan.FromSeconds(Math.Clamp((double?)json?["expires_in"] ?? 300, 30, 86_400));
            // Renew a little early so a token never expires between fetch and use.
            _tokens[key] = (token, clock.GetUtcNow() + lifetime - TimeSpan.FromSeconds(Math.Min(30, lifetime.TotalSeconds / 10)));
            return (token, null);
        }
        catch (JsonException)
        {
            return (null, "token response is not valid JSON");
        }
    }

    private static string Key(Settings s) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{s.TokenUrl}\n{s.ClientId}\n{s.ClientSecret}\n{s.Scope}")));
}
