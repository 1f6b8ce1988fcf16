namespace BotFlow.Sdk.Channels;

/// <summary>One bot message the host's outbox asks the channel to deliver.</summary>
/// <param name="Id">The host's id of the message: the same on every try, so providers that accept an idempotency key can dedupe.</param>
/// <param name="ContactId">The contact's id at the provider (as the channel gave it in <see cref="InboundMessage.ContactId"/>).</param>
/// <param name="Text">The text.</param>
/// <param name="Options">A menu's options (render them as native buttons or a list where the provider has them; the
/// text already lists them for providers that do not), or empty for plain text.</param>
/// <param name="Attempt">1 for the first try.</param>
public sealed record OutgoingMessage(string Id, string ContactId, string Text, IReadOnlyList<OutgoingOption> Options, int Attempt);

/// <summary>A menu option: the key the contact's choice must come back as (<see cref="InboundMessage.OptionKey"/>) and its label.</summary>
public sealed record OutgoingOption(string Key, string Label);

/// <summary>How one delivery try ended.</summary>
public sealed record SendResult
{
    private SendResult(bool succeeded, bool retryable, string? providerMessageId, string? error, TimeSpan? retryAfter)
    {
        Succeeded = succeeded;
        Retryable = retryable;
        ProviderMessageId = providerMessageId;
        Error = error;
        RetryAfter = retryAfter;
    }

    /// <summary>The provider accepted the message.</summary>
    public bool Succeeded { get; }

    /// <summary>A failure a later try may fix (no response, timeout, 408, 429, 5xx).</summary>
    public bool Retryable { get; }

    /// <summary>The provider's id of the accepted message, matched against later <see cref="DeliveryStatusUpdate"/>s.</summary>
    public string? ProviderMessageId { get; }

    /// <summary>The provider's error, as the admin should read it (no secrets).</summary>
    public string? Error { get; }

    /// <summary>The wait the provider asked for (<c>Retry-After</c>); the host waits at least this long before the next try.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Accepted by the provider.</summary>
    public static SendResult Sent(string? providerMessageId) => new(true, false, providerMessageId, null, null);

    /// <summary>Failed; the host tries again later (after <paramref name="retryAfter"/> when given), in order, until its attempts run out.</summary>
    public static SendResult RetryLater(string error, TimeSpan? retryAfter = null) => new(false, true, null, error, retryAfter);

    /// <summary>Failed for good (invalid recipient, bad credentials): the message ends <c>failed</c> with this error.</summary>
    public static SendResult Failed(string error) => new(false, false, null, error, null);
}
