using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using BotFlow.Sdk.Blocks;
using BotFlow.Sdk.Context;
using BotFlow.Sdk.Validation;

namespace BotFlow.Plugins.Core;

/// <summary>Asks a question and stores the answer in a registration field, validated by the field's type.</summary>
[BlockType("question", DisplayName = "Question", Description = "Asks the contact and stores the answer in a registration field.", Category = "Messages")]
public sealed class QuestionBlock : Block<QuestionConfig>
{
    public override async ValueTask<BlockResult> RunAsync(IBlockContext<QuestionConfig> context)
    {
        await context.SendAsync(context.Render(context.Config.Text), context.CancellationToken);
        return BlockResult.Wait();
    }

    public override async ValueTask<BlockResult> ResumeAsync(IBlockContext<QuestionConfig> context)
    {
        var answer = context.Input?.Trim();
        var stored = string.IsNullOrEmpty(answer)
            ? Sdk.Fields.FieldValueResult.Invalid("empty answer")
            : context.SetField(context.Config.Field, answer);
        if (stored.IsValid)
        {
            return BlockResult.Next();
        }

        context.Logger.LogDebug("Question {BlockId}: answer refused for field {Field}: {Error}", context.BlockId, context.Config.Field, stored.Error);
        await context.SendAsync(context.Render(context.Config.InvalidText ?? context.Config.Text), context.CancellationToken);
        return BlockResult.Wait();
    }

    public override void Validate(QuestionConfig config, IBlockValidationContext context)
    {
        context.CheckTemplate("config.text", config.Text);
        context.CheckTemplate("config.invalidText", config.InvalidText);
        if (!string.IsNullOrEmpty(config.Field) && !context.Fields.TryGet(config.Field, out _))
        {
            context.Error("config.field", $"there is no registration field '{config.Field}'; create it first (PUT /api/fields/{config.Field})");
        }
    }
}

/// <summary>What a question asks and where the answer goes.</summary>
/// <param name="Text">The question.</param>
/// <param name="Field">The registration field that stores the answer; its type validates it.</param>
/// <param name="InvalidText">Sent instead of the question when the answer does not fit the field's type. Defaults to the question.</param>
public sealed record QuestionConfig(
    [property: Required, Description("The question, a template.")] string Text,
    [property: Required, Description("Registration field that stores the answer.")] string Field,
    [property: Description("Sent when the answer is not valid for the field's type.")] string? InvalidText = null);
