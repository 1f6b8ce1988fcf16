using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using BotFlow.Sdk.Blocks;
using BotFlow.Sdk.Context;
using BotFlow.Sdk.Validation;

namespace BotFlow.Plugins.Core;

/// <summary>Sends a text and goes on.</summary>
[BlockType("message", DisplayName = "Message", Description = "Sends a text to the contact and goes on.", Category = "Messages")]
public sealed class MessageBlock : Block<MessageConfig>
{
    public override async ValueTask<BlockResult> RunAsync(IBlockContext<MessageConfig> context)
    {
        await context.SendAsync(context.Render(context.Config.Text), context.CancellationToken);
        return BlockResult.Next();
    }

    public override void Validate(MessageConfig config, IBlockValidationContext context) => context.CheckTemplate("config.text", config.Text);
}

/// <summary>What a message block sends.</summary>
/// <param name="Text">The text, a Scriban template over contact, vars and response.</param>
public sealed record MessageConfig([property: Required, Description("The text sent, a template over contact, vars and response.")] string Text);
