using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using BotFlow.Sdk.Blocks;
using BotFlow.Sdk.Channels;
using BotFlow.Sdk.Context;
using BotFlow.Sdk.Validation;

namespace BotFlow.Plugins.Core;

/// <summary>Numbered options, one exit per option; an answer that matches none takes <c>invalid</c> or re-asks.</summary>
[BlockType("menu", DisplayName = "Menu", Description = "Offers numbered options; each option is an exit.", Category = "Messages")]
public sealed class MenuBlock : Block<MenuConfig>
{
    public const string Invalid = "invalid";

    public override IEnumerable<string> GetExits(MenuConfig config) =>
        (config.Options ?? []).Select(o => o.Key).Where(k => !string.IsNullOrEmpty(k)).Append(Invalid);

    public override async ValueTask<BlockResult> RunAsync(IBlockContext<MenuConfig> context)
    {
        await context.SendMenuAsync(context.Render(context.Config.Text), Choices(context.Config), context.CancellationToken);
        return BlockResult.Wait();
    }

    /// <summary>The options as channel buttons: the key comes back as the answer, so a button always takes its option's exit.</summary>
    private static List<OutgoingOption> Choices(MenuConfig config) =>
        (config.Options ?? []).Where(o => !string.IsNullOrEmpty(o.Key)).Select(o => new OutgoingOption(o.Key, string.IsNullOrWhiteSpace(o.Label) ? o.Key : o.Label)).ToList();

    public override async ValueTask<BlockResult> ResumeAsync(IBlockContext<MenuConfig> context)
    {
        var answer = Fold(context.Input);
        var chosen = context.Config.Options.FirstOrDefault(o => Fold(o.Key) == answer)
                     ?? context.Config.Options.FirstOrDefault(o => o.Label is not null && Fold(o.Label) == answer);
        if (chosen is not null)
        {
            if (!string.IsNullOrEmpty(context.Config.Var))
            {
                context.SetVar(context.Config.Var, chosen.Key);
            }

            return BlockResult.Exit(chosen.Key);
        }

        if (context.ConnectedExits.Contains(Invalid))
        {
            return BlockResult.Exit(Invalid);
        }

        await context.SendMenuAsync(context.Render(context.Config.InvalidText ?? context.Config.Text), Choices(context.Config), context.CancellationToken);
        return BlockResult.Wait();
    }

    public override void Validate(MenuConfig config, IBlockValidationContext context)
    {
        context.CheckTemplate("config.text", config.Text);
        context.CheckTemplate("config.invalidText", config.InvalidText);
        if (config.Options is null || config.Options.Count == 0)
        {
            context.Error("config.options", "a menu needs at least one option");
            return;
        }

        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < config.Options.Count; i++)
        {
            var key = config.Options[i]?.Key;
            if (string.IsNullOrWhiteSpace(key) || key.Length > 64)
            {
                context.Error($"config.options[{i}].key", "an option key of 1 to 64 characters is required");
            }
            else if (key == Invalid)
            {
                context.Error($"config.options[{i}].key", "'invalid' is the exit for answers that match no option; choose another key");
            }
            else if (!keys.Add(key))
            {
                context.Error($"config.options[{i}].key", $"duplicate option key '{key}'");
            }
        }
    }

    /// <summary>"2", " 2 ", "Encerrar" and "encerrar" match the same option; accents are ignored too.</summary>
    private static string Fold(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        var decomposed = text.Trim().Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }

        return builder.ToString();
    }
}

/// <summary>A menu's text and options.</summary>
/// <param name="Text">The text sent, usually listing the options.</param>
/// <param name="Options">The options; each key is an exit.</param>
/// <param name="InvalidText">Sent when the answer matches no option and the <c>invalid</c> exit is not connected.</param>
/// <param name="Var">A flow variable that receives the chosen key.</param>
public sealed record MenuConfig(
    [property: Required, Description("The text sent, usually listing the options.")] string Text,
    [property: Required, Description("The options; each key is an exit.")] IReadOnlyList<MenuOption> Options,
    [property: Description("Sent when the answer matches no option.")] string? InvalidText = null,
    [property: Description("Flow variable that receives the chosen key.")] string? Var = null);

/// <summary>One menu option: the contact answers its key (or its label).</summary>
public sealed record MenuOption([property: Required] string Key, string? Label = null);
