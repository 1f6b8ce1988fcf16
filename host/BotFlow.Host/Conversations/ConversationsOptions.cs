using System.ComponentModel.DataAnnotations;

namespace BotFlow.Host.Conversations;

/// <summary>Limits of the conversation endpoint. Section <c>BotFlow:Conversations</c>.</summary>
public sealed class ConversationsOptions
{
    public const string Section = "BotFlow:Conversations";

    /// <summary>Longest message text accepted. Default 4,096 characters (WhatsApp's limit).</summary>
    [Range(1, 65_536)] public int MaxTextLength { get; set; } = 4_096;
}
