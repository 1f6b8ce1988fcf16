namespace BotFlow.Sdk.Http;

/// <summary>Why an outbound request got no usable response.</summary>
public enum OutboundErrorKind
{
    /// <summary>A response arrived (whatever its status).</summary>
    None,
    /// <summary>The exchange did not finish within the deadline.</summary>
    Timeout,
    /// <summary>The host name did not resolve.</summary>
    Dns,
    /// <summary>The connection was refused, reset or failed.</summary>
    Connection,
    /// <summary>The address is loopback, private, link-local or cloud metadata, and not allowed.</summary>
    AddressRefused,
    /// <summary>The response body was larger than the cap.</summary>
    TooLarge,
    /// <summary>More redirects than allowed, or a redirect to a non-HTTP URL.</summary>
    Redirect,
    /// <summary>The request itself was malformed (bad URL or header).</summary>
    InvalidRequest,
}

/// <summary>How one outbound exchange is bounded.</summary>
public sealed class OutboundOptions
{
    /// <summary>One deadline over connect, headers and body. Default 15 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Largest response body read, after decompression. Default 1 MiB; past it the response is refused as <see cref="OutboundErrorKind.TooLarge"/>.</summary>
    public long MaxResponseBytes { get; init; } = 1024 * 1024;

    /// <summary>Redirects followed, each target checked like the first. Default 5.</summary>
    public int MaxRedirects { get; init; } = 5;
}

/// <summary>An outbound response read whole (within the cap), or the reason there is none.</summary>
public sealed class OutboundResponse
{
    /// <summary>HTTP status, or 0 when no response arrived.</summary>
    public int Status { get; init; }

    /// <summary>Response headers (content headers included) with lower-case names; repeated headers joined with ", ".</summary>
    // One shared empty map by default: every response sets its own, so a new dictionary here was made and dropped per call.
    public IReadOnlyDictionary<string, string> Headers { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    /// <summary>The body bytes (empty when none arrived).</summary>
    public byte[] Body { get; init; } = [];

    /// <summary>Why no usable response arrived.</summary>
    public OutboundErrorKind ErrorKind { get; init; }

    /// <summary>A readable reason when <see cref="ErrorKind"/> is not <see cref="OutboundErrorKind.None"/>.</summary>
    public string? Error { get; init; }

    /// <summary>Wall-clock time of the whole exchange, redirects included.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>The URL that answered (after redirects).</summary>
    public Uri? FinalUrl { get; init; }

    /// <summary>The <c>Retry-After</c> delay the server asked for, if any.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>
/// The host's outbound HTTP for blocks: one pooled client without proxy or cookies, an address guard on the socket
/// actually connected (so DNS rebinding cannot reach internal addresses), redirects followed by hand and re-checked
/// (credentials dropped when the origin changes), one deadline and a body cap. Never throws for network faults.
/// </summary>
public interface IOutboundHttp
{
    /// <summary>Sends <paramref name="request"/>; the request is consumed.</summary>
    Task<OutboundResponse> SendAsync(HttpRequestMessage request, OutboundOptions options, CancellationToken cancellationToken);
}
