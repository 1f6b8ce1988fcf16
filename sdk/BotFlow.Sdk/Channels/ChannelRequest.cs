namespace BotFlow.Sdk.Channels;

/// <summary>An HTTP request the provider sent to <c>/channels/{channelId}/webhook</c>, read whole by the host.</summary>
/// <remarks>The body is kept as the raw bytes received, because providers sign those bytes: re-serialised JSON would not verify.</remarks>
public sealed class ChannelRequest
{
    /// <summary><c>GET</c> (verification handshakes) or <c>POST</c> (events).</summary>
    public required string Method { get; init; }

    /// <summary>The raw body, exactly as received (empty for a GET). The host caps its size before the channel sees it.</summary>
    public required byte[] Body { get; init; }

    /// <summary>Request headers with lower-case names; repeated headers joined with ", ".</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>Query string values by name (the first value of a repeated name).</summary>
    public required IReadOnlyDictionary<string, string> Query { get; init; }
}

/// <summary>
/// A configured channel's settings as the channel sees them: plain values as the admin entered them, and the values of
/// secret settings already read from the secrets store (the admin stores only the secret's name). Never log the secret values.
/// </summary>
public sealed class ChannelSettings
{
    /// <summary>Creates the settings.</summary>
    public ChannelSettings(string channelId, IReadOnlyDictionary<string, string> values)
    {
        ChannelId = channelId;
        Values = values;
    }

    /// <summary>The configured channel's id (the <c>{channelId}</c> of its webhook URL).</summary>
    public string ChannelId { get; }

    /// <summary>Every setting that has a value, secrets resolved.</summary>
    public IReadOnlyDictionary<string, string> Values { get; }

    /// <summary>The value of <paramref name="name"/>, or <paramref name="fallback"/> when it is not set or empty.</summary>
    public string? Get(string name, string? fallback = null) => Values.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : fallback;
}

/// <summary>One setting a channel type needs, so the host can validate <c>PUT /api/channels/{id}</c> and the editor can draw a form.</summary>
/// <param name="Name">The setting's name in the <c>settings</c> object (camelCase).</param>
/// <param name="Description">One sentence of help.</param>
/// <param name="Required">The channel cannot work without it; saving a channel without it answers 400.</param>
/// <param name="Secret">The admin enters the NAME of a secret in the secrets store; the channel receives the secret's value.</param>
public sealed record ChannelSettingDefinition(string Name, string Description, bool Required = false, bool Secret = false);
