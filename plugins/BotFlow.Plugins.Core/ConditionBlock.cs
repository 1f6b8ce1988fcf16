using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using BotFlow.Sdk.Blocks;
using BotFlow.Sdk.Context;
using BotFlow.Sdk.Validation;

namespace BotFlow.Plugins.Core;

/// <summary>Goes <c>true</c> or <c>false</c> by a Scriban expression over contact, vars and response.</summary>
[BlockType("condition", DisplayName = "Condition", Description = "Takes 'true' or 'false' by an expression over contact, vars and response.", Category = "Logic")]
[Exits(True, False)]
public sealed class ConditionBlock : Block<ConditionConfig>
{
    public const string True = "true", False = "false";

    public override ValueTask<BlockResult> RunAsync(IBlockContext<ConditionConfig> context)
    {
        // A failing expression throws: the host records it and the conversation takes its error path.
        var value = context.Templates.EvaluateCondition(context.Config.Expression, context.CreateScope());
        return ValueTask.FromResult(BlockResult.Exit(value ? True : False));
    }

    public override void Validate(ConditionConfig config, IBlockValidationContext context)
    {
        if (string.IsNullOrWhiteSpace(config.Expression))
        {
            return;
        }

        foreach (var error in context.Templates.CheckExpression(config.Expression))
        {
            context.Error("config.expression", $"expression error at line {error.Line}, column {error.Column}: {error.Message}");
        }
    }
}

/// <summary>The condition's expression.</summary>
/// <param name="Expression">A Scriban expression, e.g. <c>contact.plan == "gold" &amp;&amp; response.status == 200</c>.</param>
public sealed record ConditionConfig([property: Required, Description("A Scriban expression over contact, vars and response.")] string Expression);
