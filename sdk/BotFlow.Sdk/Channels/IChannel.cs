using BotFlow.Sdk.Http;

namespace BotFlow.Sdk.Channels;

/// <summary>
/// A messaging provider's format: turns its webhooks into contact messages and delivers the bot's messages. The host owns
/// everything else — routing (<c>/channels/{channelId}/webhook</c>), deduplication by provider message id, running the
/// flow, the durable outbox, per-contact ordering, retries and backoff — so a channel only speaks its provider's format.
/// One instance serves every configured channel of its type at once; everything a call needs comes in its arguments.
/// </summary>
public interface IChannel
{
    /// <summary>The settings a configured channel of this type has (ids, URLs, the names of its secrets).</summary>
    IReadOnlyList<ChannelSettingDefinition> Settings { get; }

    /// <summary>
    /// Checks that a POST really comes from the provider (its signature over <see cref="ChannelRequest.Body"/>, compared in
    /// constant time). <c>false</c>: the host answers 401 and stores nothing.
    /// </summary>
    ValueTask<bool> VerifyAsync(ChannelRequest request, ChannelSettings settings, CancellationToken cancellationToken);

    /// <summary>
    /// Answers a GET the provider sends to check the URL (WhatsApp's <c>hub.challenge</c>). Returns the text to answer
    /// with 200, or <c>null</c> to refuse (the host answers 403). Providers without a handshake return <c>null</c>.
    /// </summary>
    ValueTask<string?> HandshakeAsync(ChannelRequest request, ChannelSettings settings, CancellationToken cancellationToken);

    /// <summary>Parses a verified POST. Throw <see cref="FormatException"/> for a body that is not the provider's format (the host answers 400).</summary>
    ValueTask<InboundBatch> ParseAsync(ChannelRequest request, ChannelSettings settings, CancellationToken cancellationToken);

    /// <summary>
    /// Delivers one message through the host's outbound HTTP (address guard, timeouts, body cap). Never throw for a
    /// provider or network fault: return <see cref="SendResult.RetryLater"/> or <see cref="SendResult.Failed"/>.
    /// </summary>
    ValueTask<SendResult> SendAsync(OutgoingMessage message, ChannelSettings settings, IOutboundHttp http, CancellationToken cancellationToken);
}
