namespace BotFlow.Sdk.Channels;

/// <summary>What a contact said, as a channel parsed it from the provider's webhook.</summary>
/// <param name="ContactId">The contact's id at the provider (a WhatsApp <c>wa_id</c>, a Telegram chat id): replies go to it.
/// 1 to 128 characters of letters, digits and <c>_ . @ + : -</c>.</param>
/// <param name="Text">The text the contact sent (a button's title for a button reply).</param>
/// <param name="ProviderMessageId">The provider's id of the message; the host handles each id once per channel (providers redeliver).</param>
public sealed record InboundMessage(string ContactId, string Text, string ProviderMessageId)
{
    /// <summary>Registration fields to upsert on the contact before the flow runs (for example <c>name</c> and <c>phone</c>).
    /// A value the field's type rejects is dropped with a warning; the message is still handled.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();

    /// <summary>The key of the menu option the contact picked with a native button or list row, or <c>null</c> for typed text.
    /// The host gives the flow this key as the answer, so the menu takes that option's exit whatever the button's title.</summary>
    public string? OptionKey { get; init; }
}

/// <summary>What the provider reports about a message the bot sent.</summary>
/// <param name="ProviderMessageId">The id the provider returned from <see cref="IChannel.SendAsync"/>.</param>
/// <param name="Status">One of <see cref="DeliveryStatuses"/>.</param>
/// <param name="Error">The provider's error when <paramref name="Status"/> is <see cref="DeliveryStatuses.Failed"/>.</param>
public sealed record DeliveryStatusUpdate(string ProviderMessageId, string Status, string? Error = null);

/// <summary>The statuses of an outgoing message after the outbox handed it over. They only move forward (sent, delivered, read); failed ends it.</summary>
public static class DeliveryStatuses
{
    /// <summary>The provider accepted the message.</summary>
    public const string Sent = "sent";

    /// <summary>It reached the contact's device.</summary>
    public const string Delivered = "delivered";

    /// <summary>The contact read it.</summary>
    public const string Read = "read";

    /// <summary>It could not be delivered.</summary>
    public const string Failed = "failed";
}

/// <summary>Everything one webhook call carried.</summary>
/// <param name="Messages">Contact messages, in the order the provider listed them.</param>
/// <param name="Statuses">Status callbacks for messages the bot sent.</param>
public sealed record InboundBatch(IReadOnlyList<InboundMessage> Messages, IReadOnlyList<DeliveryStatusUpdate> Statuses)
{
    /// <summary>A call that carried nothing the host acts on (a provider's test ping, an unsupported message type).</summary>
    public static InboundBatch Empty { get; } = new([], []);
}
