using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using BotFlow.Sdk.Blocks;
using BotFlow.Sdk.Context;
using BotFlow.Sdk.Validation;

namespace BotFlow.Plugins.Core;

/// <summary>Hands the conversation to a human department; the bot stays silent until it is restarted.</summary>
[BlockType("transfer", DisplayName = "Transfer to department", Description = "Hands the chat to a human department.", Category = "Messages")]
[Exits]
public sealed class TransferBlock : Block<TransferConfig>
{
    public override async ValueTask<BlockResult> RunAsync(IBlockContext<TransferConfig> context)
    {
        if (!string.IsNullOrEmpty(context.Config.Text))
        {
            await context.SendAsync(context.Render(context.Config.Text), context.CancellationToken);
        }

        return BlockResult.Transfer(context.Config.Department);
    }

    public override void Validate(TransferConfig config, IBlockValidationContext context) => context.CheckTemplate("config.text", config.Text);
}

/// <summary>Where the chat goes.</summary>
/// <param name="Department">The department (e.g. Financeiro).</param>
/// <param name="Text">Sent before the transfer.</param>
public sealed record TransferConfig(
    [property: Required, StringLength(200), Description("The department that takes the chat.")] string Department,
    [property: Description("Sent to the contact before the transfer.")] string? Text = null);

/// <summary>Ends the conversation, optionally with a last message.</summary>
[BlockType("end", DisplayName = "End", Description = "Ends the conversation.", Category = "Messages")]
[Exits]
public sealed class EndBlock : Block<EndConfig>
{
    public override async ValueTask<BlockResult> RunAsync(IBlockContext<EndConfig> context)
    {
        if (!string.IsNullOrEmpty(context.Config.Text))
        {
            await context.SendAsync(context.Render(context.Config.Text), context.CancellationToken);
        }

        return BlockResult.End();
    }

    public override void Validate(EndConfig config, IBlockValidationContext context) => context.CheckTemplate("config.text", config.Text);
}

/// <summary>The last message.</summary>
/// <param name="Text">Sent before the conversation ends.</param>
public sealed record EndConfig([property: Description("Sent before the conversation ends.")] string? Text = null);
