using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using BotFlow.Sdk.Http;

namespace BotFlow.Host.Integrations;

/// <summary>
/// The one outbound client of the host (hardening.md): pooled handler, no proxy from the environment, no cookies,
/// automatic redirects off and followed here (at most N, each re-checked by the guard at connect time, credentials
/// dropped when the origin changes), one deadline over the whole exchange and a cap on the decompressed body.
/// </summary>
public sealed class OutboundHttp(IHttpClientFactory clients) : IOutboundHttp
{
    public const string ClientName = "botflow-outbound";

    public async Task<OutboundResponse> SendAsync(HttpRequestMessage request, OutboundOptions options, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        var client = clients.CreateClient(ClientName);
        // The body and its headers are copied only when a redirect must send them again (buffered content reads twice).
        byte[]? body = null;
        List<KeyValuePair<string, IEnumerable<string>>>? contentHeaders = null;
        var current = request;
        for (var redirects = 0; ; redirects++)
        {
            if (current.RequestUri is not { IsAbsoluteUri: true } uri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                return Fail(OutboundErrorKind.InvalidRequest, "only absolute http and https URLs can be called", watch, current.RequestUri);
            }

            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(current, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Fail(OutboundErrorKind.Timeout, $"no response within {options.Timeout.TotalSeconds:0.###} s", watch, uri);
            }
            catch (HttpRequestException ex)
            {
                return Classify(ex, watch, uri);
            }

            using (response)
            {
                if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
                {
                    if (redirects >= options.MaxRedirects)
                    {
                        return Fail(OutboundErrorKind.Redirect, $"more than {options.MaxRedirects} redirects", watch, uri);
                    }

                    var target = location.IsAbsoluteUri ? location : new Uri(uri, location);
                    if (redirects == 0 && request.Content is not null)
                    {
                        body = await request.Content.ReadAsByteArrayAsync(deadline.Token);
                        contentHeaders = request.Content.Headers.ToList();
                    }

                    current = NextRequest(current, response.StatusCode, target, body, contentHeaders);
                    if (current.Content is null)
                    {
                        // A 301/302/303 turned the request into a GET: later hops must not bring the body back.
                        body = null;
                        contentHeaders = null;
                    }
                    continue;
                }

                return await ReadAsync(response, options, watch, uri, deadline.Token, cancellationToken);
            }
        }
    }

    private static async Task<OutboundResponse> ReadAsync(HttpResponseMessage response, OutboundOptions options, Stopwatch watch, Uri uri, CancellationToken deadline, CancellationToken caller)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            var key = name.ToLowerInvariant();
            var value = string.Join(", ", values);
            headers[key] = headers.TryGetValue(key, out var existing) ? existing + ", " + value : value;
        }

        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => (TimeSpan?)null,
        };

        if (response.Content.Headers.ContentLength > options.MaxResponseBytes)
        {
            return TooLarge(response, headers, options, watch, uri, retryAfter);
        }

        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(deadline);
            // Counted after decompression, so a gzip bomb stops at the cap.
            using var read = await Http.PooledBody.ReadAsync(stream, response.Content.Headers.ContentLength, options.MaxResponseBytes, deadline);
            if (read.TooLarge)
            {
                return TooLarge(response, headers, options, watch, uri, retryAfter);
            }

            var body = read.Span.ToArray();
            return new OutboundResponse
            {
                Status = (int)response.StatusCode, Headers = headers, Body = body, Elapsed = watch.Elapsed, FinalUrl = uri, RetryAfter = retryAfter,
            };
        }
        catch (OperationCanceledException) when (!caller.IsCancellationRequested)
        {
            return new OutboundResponse
            {
                Status = 0, Headers = headers, ErrorKind = OutboundErrorKind.Timeout, Elapsed = watch.Elapsed, FinalUrl = uri,
                Error = $"the response body did not arrive within the deadline (status {(int)response.StatusCode})",
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidDataException)
        {
            return Fail(OutboundErrorKind.Connection, "the connection failed while reading the body: " + ex.Message, watch, uri);
        }
    }

    private static OutboundResponse TooLarge(HttpResponseMessage response, Dictionary<string, string> headers, OutboundOptions options, Stopwatch watch, Uri uri, TimeSpan? retryAfter) => new()
    {
        Status = (int)response.StatusCode, Headers = headers, ErrorKind = OutboundErrorKind.TooLarge, Elapsed = watch.Elapsed, FinalUrl = uri, RetryAfter = retryAfter,
        Error = $"the response body is larger than {options.MaxResponseBytes} bytes",
    };

    private static HttpRequestMessage NextRequest(HttpRequestMessage previous, HttpStatusCode status, Uri target, byte[]? body, List<KeyValuePair<string, IEnumerable<string>>>? contentHeaders)
    {
        var keepMethod = status is HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect
                         || (previous.Method == HttpMethod.Get || previous.Method == HttpMethod.Head);
        var next = new HttpRequestMessage(keepMethod ? previous.Method : HttpMethod.Get, target);
        var sameOrigin = Uri.Compare(previous.RequestUri, target, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
        foreach (var (name, values) in previous.Headers)
        {
            // Credentials never follow a redirect to another origin.
            if (!sameOrigin && (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || name.Equals("Cookie", StringComparison.OrdinalIgnoreCase)
                                || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            next.Headers.TryAddWithoutValidation(name, values);
        }

        if (keepMethod && body is not null)
        {
            next.Content = new ByteArrayContent(body);
            foreach (var (name, values) in contentHeaders ?? [])
            {
                next.Content.Headers.TryAddWithoutValidation(name, values);
            }
        }

        previous.Dispose();
        return next;
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
        or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static OutboundResponse Classify(HttpRequestException ex, Stopwatch watch, Uri uri)
    {
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case AddressRefusedException refused:
                    return Fail(OutboundErrorKind.AddressRefused, refused.Message, watch, uri);
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                    return Fail(OutboundErrorKind.Dns, $"the host '{uri.Host}' could not be resolved", watch, uri);
                case SocketException socket:
                    return Fail(OutboundErrorKind.Connection, $"connection to {uri.Host}:{uri.Port} failed: {socket.SocketErrorCode}", watch, uri);
            }
        }

        return Fail(OutboundErrorKind.Connection, "the request failed: " + ex.Message, watch, uri);
    }

    private static OutboundResponse Fail(OutboundErrorKind kind, string error, Stopwatch watch, Uri? uri) =>
        new() { Status = 0, ErrorKind = kind, Error = error, Elapsed = watch.Elapsed, FinalUrl = uri };
}

public static class OutboundHttpServiceCollectionExtensions
{
    public static IServiceCollection AddBotFlowOutboundHttp(this IServiceCollection services)
    {
        services.AddOptions<OutboundHttpOptions>().BindConfiguration(OutboundHttpOptions.Section).ValidateOnStart();
        services.AddSingleton<AddressGuard>();
        services.AddHttpClient(OutboundHttp.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            // Every call is recorded as an execution already; the factory's per-request logging scopes cost CPU on the hot path.
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                UseProxy = false,
                UseCookies = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.All,
                ConnectCallback = sp.GetRequiredService<AddressGuard>().ConnectAsync,
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
                MaxResponseHeadersLength = 64, // KiB: a response with thousands of headers is refused, not buffered
            })
            // One long-lived handler keeps connections to partners alive; DNS changes are picked up when idle connections close.
            .SetHandlerLifetime(TimeSpan.FromMinutes(5));
        services.AddSingleton<OutboundHttp>();
        services.AddSingleton<IOutboundHttp>(sp => sp.GetRequiredService<OutboundHttp>());
        services.AddSingleton<Plugins.IPluginServiceContribution, OutboundContribution>();
        return services;
    }

    private sealed class OutboundContribution(IOutboundHttp http) : Plugins.IPluginServiceContribution
    {
        public void Configure(IServiceCollection pluginServices) => pluginServices.AddSingleton(http);
    }
}

public static class IntegrationsServiceCollectionExtensions
{
    /// <summary>Outbound HTTP for plugins, the execution history and the preview/test runner.</summary>
    public static IServiceCollection AddBotFlowIntegrations(this IServiceCollection services)
    {
        services.AddBotFlowOutboundHttp();
        services.AddSingleton<Executions.IExecutionStore, Storage.SqlExecutionStore>();
        services.AddSingleton<TestableBlockRunner>();
        return services;
    }
}
