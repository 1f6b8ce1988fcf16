using System.Collections.Frozen;
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
/// <remarks>
/// Requests go to the factory's current handler through an <see cref="HttpMessageInvoker"/>, not an
/// <see cref="HttpClient"/>: the client adds nothing this class uses (no base address, default headers, timeout or
/// buffering: the deadline is this class's own) but a client object, a cancellation source linking the caller's token to
/// its own and an async frame per call (docs/benchmarks.md, fifteenth pass). The handler still comes from the factory,
/// so its rotation (DNS changes picked up) and its pooled connections stay as they were.
/// </remarks>
public sealed class OutboundHttp(IHttpMessageHandlerFactory handlers) : IOutboundHttp
{
    public const string ClientName = "botflow-outbound";

    public async Task<OutboundResponse> SendAsync(HttpRequestMessage request, OutboundOptions options, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        using var client = new HttpMessageInvoker(handlers.CreateHandler(ClientName), disposeHandler: false);
        // The body and its headers are copied only when a redirect must send them again (buffered content reads twice).
        byte[]? body = null;
        List<KeyValuePair<string, IEnumerable<string>>>? contentHeaders = null;
        var current = request;
        for (var redirects = 0; ; redirects++)
        {
            if (current.RequestUri is not { IsAbsoluteUri: true } uri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                return Fail(OutboundErrorKind.InvalidRequest, "only absolute http and https URLs can be called", started, current.RequestUri);
            }

            HttpResponseMessage response;
            try
            {
                // The handler answers once the headers are read (buffering the body is HttpClient's, which is not used).
                response = await client.SendAsync(current, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Fail(OutboundErrorKind.Timeout, $"no response within {options.Timeout.TotalSeconds:0.###} s", started, uri);
            }
            catch (HttpRequestException ex)
            {
                return Classify(ex, started, uri);
            }

            using (response)
            {
                if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
                {
                    if (redirects >= options.MaxRedirects)
                    {
                        return Fail(OutboundErrorKind.Redirect, $"more than {options.MaxRedirects} redirects", started, uri);
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

                return await ReadAsync(response, options, started, uri, deadline.Token, cancellationToken);
            }
        }
    }

    private static async Task<OutboundResponse> ReadAsync(HttpResponseMessage response, OutboundOptions options, long started, Uri uri, CancellationToken deadline, CancellationToken caller)
    {
        // Headers as the partner sent them (not re-formatted by .NET's parsers), a repeated name's values joined with ", ".
        // The non-validated view reads them without parsing and without an array per header.
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        AddHeaders(headers, response.Headers.NonValidated);
        AddHeaders(headers, response.Content.Headers.NonValidated);

        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => (TimeSpan?)null,
        };

        if (response.Content.Headers.ContentLength > options.MaxResponseBytes)
        {
            return TooLarge(response, headers, options, started, uri, retryAfter);
        }

        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(deadline);
            // Counted after decompression, so a gzip bomb stops at the cap.
            using var read = await Http.PooledBody.ReadAsync(stream, response.Content.Headers.ContentLength, options.MaxResponseBytes, deadline);
            if (read.TooLarge)
            {
                return TooLarge(response, headers, options, started, uri, retryAfter);
            }

            var body = read.Span.ToArray();
            return new OutboundResponse
            {
                Status = (int)response.StatusCode, Headers = headers, Body = body, Elapsed = Stopwatch.GetElapsedTime(started), FinalUrl = uri, RetryAfter = retryAfter,
            };
        }
        catch (OperationCanceledException) when (!caller.IsCancellationRequested)
        {
            return new OutboundResponse
            {
                Status = 0, Headers = headers, ErrorKind = OutboundErrorKind.Timeout, Elapsed = Stopwatch.GetElapsedTime(started), FinalUrl = uri,
                Error = $"the response body did not arrive within the deadline (status {(int)response.StatusCode})",
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidDataException)
        {
            return Fail(OutboundErrorKind.Connection, "the connection failed while reading the body: " + ex.Message, started, uri);
        }
    }

    private static void AddHeaders(Dictionary<string, string> headers, HttpHeadersNonValidated received)
    {
        foreach (var (name, values) in received)
        {
            var key = LowerCase(name);
            var value = values.ToString();
            ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(headers, key, out var repeated);
            slot = repeated ? slot + ", " + value : value;
        }
    }

    // The names most answers carry, lower-cased once (ToLowerInvariant makes a new string for each mixed-case name).
    private static readonly FrozenDictionary<string, string> LowerCaseNames = new[]
    {
        "Content-Type", "Content-Length", "Content-Encoding", "Content-Language", "Content-Disposition", "Date", "Server",
        "Connection", "Keep-Alive", "Transfer-Encoding", "Cache-Control", "Pragma", "Expires", "ETag", "Last-Modified", "Vary",
        "Location", "Retry-After", "Set-Cookie", "Access-Control-Allow-Origin", "Strict-Transport-Security", "X-Powered-By",
        "X-Request-Id", "X-Content-Type-Options", "X-Frame-Options", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
    }.ToFrozenDictionary(name => name, name => name.ToLowerInvariant(), StringComparer.Ordinal);

    private static string LowerCase(string name) => LowerCaseNames.TryGetValue(name, out var lower) ? lower : name.ToLowerInvariant();

    private static OutboundResponse TooLarge(HttpResponseMessage response, Dictionary<string, string> headers, OutboundOptions options, long started, Uri uri, TimeSpan? retryAfter) => new()
    {
        Status = (int)response.StatusCode, Headers = headers, ErrorKind = OutboundErrorKind.TooLarge, Elapsed = Stopwatch.GetElapsedTime(started), FinalUrl = uri, RetryAfter = retryAfter,
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

    private static OutboundResponse Classify(HttpRequestException ex, long started, Uri uri)
    {
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case AddressRefusedException refused:
                    return Fail(OutboundErrorKind.AddressRefused, refused.Message, started, uri);
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                    return Fail(OutboundErrorKind.Dns, $"the host '{uri.Host}' could not be resolved", started, uri);
                case SocketException socket:
                    return Fail(OutboundErrorKind.Connection, $"connection to {uri.Host}:{uri.Port} failed: {socket.SocketErrorCode}", started, uri);
            }
        }

        return Fail(OutboundErrorKind.Connection, "the request failed: " + ex.Message, started, uri);
    }

    private static OutboundResponse Fail(OutboundErrorKind kind, string error, long started, Uri? uri) =>
        new() { Status = 0, ErrorKind = kind, Error = error, Elapsed = Stopwatch.GetElapsedTime(started), FinalUrl = uri };
}

public static class OutboundHttpServiceCollectionExtensions
{
    public static IServiceCollection AddBotFlowOutboundHttp(this IServiceCollection services)
    {
        services.AddOptions<OutboundHttpOptions>().BindConfiguration(OutboundHttpOptions.Section).ValidateOnStart();
        services.AddSingleton<AddressGuard>();
        // Only the handler is used (OutboundHttp's remarks): no HttpClient, so no client timeout to turn off.
        services.AddHttpClient(OutboundHttp.ClientName)
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
