using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using BotFlow.Sdk.Blocks;
using BotFlow.Sdk.Context;
using BotFlow.Sdk.Executions;
using BotFlow.Sdk.Jobs;
using BotFlow.Sdk.Validation;

namespace BotFlow.Plugins.Integration;

/// <summary>
/// Runs an integration for the current contact later — after a delay or at a time from a template — and sends its
/// message then. The conversation goes on at once.
/// </summary>
[BlockType("schedule", DisplayName = "Schedule an integration", Description = "Runs an integration for this contact later and sends its message then.", Category = "Integrations")]
public sealed class ScheduleBlock(IntegrationRunner runner) : Block<ScheduleConfig>, IBackgroundBlock
{
    private readonly IntegrationBlock _integration = new(runner);

    private static readonly string[] AtFormats = ["yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd", "dd/MM/yyyy HH:mm", "dd/MM/yyyy", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"];

    public override ValueTask<BlockResult> RunAsync(IBlockContext<ScheduleConfig> context)
    {
        var config = context.Config;
        var request = new BackgroundRequest
        {
            ExecutionId = ExecutionIds.New(),
            Kind = ExecutionKinds.Scheduled,
            MaxAttempts = 1 + (config.Integration.Retry?.BackgroundAttempts ?? 0),
            BackoffSeconds = config.Integration.Retry?.BackoffSeconds is { Count: > 0 } custom ? custom : IntegrationBlock.DefaultBackoff,
            Delay = config.Delay is { } delay ? TimeSpan.Parse(delay, CultureInfo.InvariantCulture) : null,
            RunAt = config.At is { } at ? ResolveAt(context, at, config.TimeZone) : null,
        };
        context.ScheduleBackground(request);
        return ValueTask.FromResult(BlockResult.Next());
    }

    public async ValueTask<BackgroundTryResult> RunBackgroundTryAsync(IBlockContext context, BackgroundTry backgroundTry) =>
        await IntegrationBlock.RunTryAsync(runner, context, ((ScheduleConfig)context.Config).Integration, backgroundTry);

    public override void Validate(ScheduleConfig config, IBlockValidationContext context)
    {
        if ((config.Delay is null) == (config.At is null))
        {
            context.Error("config", "a schedule has either a 'delay' (d.hh:mm:ss) or an 'at' (a template giving a date and time)");
        }

        if (config.Delay is { } delay && (!TimeSpan.TryParse(delay, CultureInfo.InvariantCulture, out var span) || span < TimeSpan.Zero || span > TimeSpan.FromDays(366)))
        {
            context.Error("config.delay", $"'{delay}' is not a delay like 1.00:00:00 (one day) or 00:30:00, up to a year");
        }

        context.CheckTemplate("config.at", config.At);
        if (config.TimeZone is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            context.Error("config.timeZone", $"unknown time zone '{zone}'");
        }

        if (config.Integration is null)
        {
            context.Error("config.integration", "the integration to run is required");
            return;
        }

        // The nested integration follows every rule of an integration block; its paths are reported under config.integration.
        _integration.Validate(config.Integration, new NestedValidation(context, "config.integration"));
    }

    private static DateTimeOffset ResolveAt(IBlockContext context, string template, string? timeZone)
    {
        var text = context.Render(template).Trim();
        if (!DateTime.TryParseExact(text, AtFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            throw new FormatException($"'at' rendered '{text}', which is not a date and time like 2026-12-01 09:00");
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone ?? "America/Sao_Paulo");
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    /// <summary>Re-roots the nested integration's paths under the schedule block's config.</summary>
    private sealed class NestedValidation(IBlockValidationContext inner, string prefix) : IBlockValidationContext
    {
        public string BlockId => inner.BlockId;
        public Sdk.Fields.IFieldCatalog Fields => inner.Fields;
        public Sdk.Templates.ITemplateEngine Templates => inner.Templates;
        public void Error(string path, string message) => inner.Error(Rebase(path), message);
        public void Warning(string path, string message) => inner.Warning(Rebase(path), message);
        public void CheckTemplate(string path, string? template, bool allowSecrets = false) => inner.CheckTemplate(Rebase(path), template, allowSecrets);
        private string Rebase(string path) => path.StartsWith("config", StringComparison.Ordinal) ? prefix + path[6..] : prefix + "." + path;
    }
}

/// <summary>When to run, and the integration to run then.</summary>
public sealed record ScheduleConfig
{
    /// <summary>A delay from now, <c>d.hh:mm:ss</c> (e.g. <c>1.00:00:00</c>).</summary>
    [Description("Delay from now, d.hh:mm:ss (1.00:00:00 is one day).")]
    public string? Delay { get; init; }

    /// <summary>A template giving the date and time, e.g. <c>{{ contact.vencimento }} 09:00</c>.</summary>
    [Description("A date and time template, e.g. {{ contact.vencimento }} 09:00.")]
    public string? At { get; init; }

    /// <summary>Time zone of <see cref="At"/>. Default America/Sao_Paulo.</summary>
    [Description("Time zone of 'at'. Default America/Sao_Paulo.")]
    public string? TimeZone { get; init; }

    /// <summary>The integration to run (same properties as an integration block's config).</summary>
    [Required]
    public IntegrationConfig Integration { get; init; } = null!;
}
