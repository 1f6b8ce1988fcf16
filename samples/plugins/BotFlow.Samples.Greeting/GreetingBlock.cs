using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using BotFlow.Sdk.Blocks;
using BotFlow.Sdk.Context;
using BotFlow.Sdk.Validation;
using Newtonsoft.Json;

namespace BotFlow.Samples.Greeting;

/// <summary>Greets the contact according to the time of day in a time zone, and goes on through <c>morning</c>, <c>afternoon</c> or <c>evening</c>.</summary>
[BlockType("samples.greeting", DisplayName = "Greeting by time of day", Description = "Says good morning, afternoon or evening in the account's time zone.", Category = "Samples")]
[Exits(Morning, Afternoon, Evening)]
public sealed class GreetingBlock : Block<GreetingConfig>
{
    public const string Morning = "morning", Afternoon = "afternoon", Evening = "evening";

    public override async ValueTask<BlockResult> RunAsync(IBlockContext<GreetingConfig> context)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(context.Config.TimeZone);
        var hour = TimeZoneInfo.ConvertTime(context.Clock.GetUtcNow(), zone).Hour;
        var (period, text) = hour switch
        {
            < 12 => (Morning, context.Config.MorningText),
            < 18 => (Afternoon, context.Config.AfternoonText),
            _ => (Evening, context.Config.EveningText),
        };

        // The plugin's own Newtonsoft.Json (12.x), isolated from the host's 13.x: recorded so admins and tests can see it.
        context.SetVar("greetingPeriod", period);
        context.SetVar("greetingJsonLibrary", typeof(JsonConvert).Assembly.GetName().Version?.ToString());
        context.Logger.LogInformation("Greeting {Payload}", JsonConvert.SerializeObject(new { period, hour, zone = zone.Id }));
        await context.SendAsync(context.Render(text), context.CancellationToken);
        return BlockResult.Exit(period);
    }

    public override void Validate(GreetingConfig config, IBlockValidationContext context)
    {
        context.CheckTemplate("config.morningText", config.MorningText);
        context.CheckTemplate("config.afternoonText", config.AfternoonText);
        context.CheckTemplate("config.eveningText", config.EveningText);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(config.TimeZone, out _))
        {
            context.Error("config.timeZone", $"unknown time zone '{config.TimeZone}' (use an IANA id such as America/Sao_Paulo)");
        }
    }
}

/// <summary>What the greeting says in each part of the day.</summary>
public sealed record GreetingConfig(
    [property: Required, Description("Sent before noon.")] string MorningText,
    [property: Required, Description("Sent from noon to 6 pm.")] string AfternoonText,
    [property: Required, Description("Sent after 6 pm.")] string EveningText,
    [property: Description("IANA time zone. Default America/Sao_Paulo.")] string TimeZone = "America/Sao_Paulo");
