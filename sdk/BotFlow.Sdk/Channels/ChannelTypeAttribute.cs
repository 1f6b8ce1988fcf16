namespace BotFlow.Sdk.Channels;

/// <summary>
/// Declares a class as a channel type. The host discovers every non-abstract <see cref="IChannel"/> in a plugin assembly
/// that carries this attribute, creates one instance from the plugin's services and shares it between every channel
/// configured with that type, so a channel keeps no per-request state in fields.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ChannelTypeAttribute : Attribute
{
    /// <summary>Declares the channel type <paramref name="type"/>.</summary>
    /// <param name="type">The name used in <c>PUT /api/channels/{id}</c>: lower-case letters, digits, <c>-</c>, <c>_</c> and <c>.</c>
    /// (built-in ones: <c>whatsapp</c>, <c>telegram</c>, <c>webhook</c>; third-party ones prefixed by vendor).</param>
    public ChannelTypeAttribute(string type) => Type = type;

    /// <summary>The type name.</summary>
    public string Type { get; }

    /// <summary>The name the editor shows. Defaults to <see cref="Type"/>.</summary>
    public string? DisplayName { get; set; }
}
