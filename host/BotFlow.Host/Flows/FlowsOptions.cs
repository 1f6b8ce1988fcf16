using System.ComponentModel.DataAnnotations;

namespace BotFlow.Host.Flows;

/// <summary>Limits on flow documents. Section <c>BotFlow:Flows</c>.</summary>
public sealed class FlowsOptions
{
    public const string Section = "BotFlow:Flows";

    /// <summary>Blocks one flow may have. Default 2,000 (security.md).</summary>
    [Range(1, 100_000)] public int MaxBlocks { get; set; } = 2_000;

    /// <summary>Longest string anywhere in a flow document. Default 64 KiB (security.md).</summary>
    [Range(16, 16 * 1024 * 1024)] public int MaxStringLength { get; set; } = 64 * 1024;

    /// <summary>Largest flow document accepted, in bytes. Default 2 MiB.</summary>
    [Range(1024, 64 * 1024 * 1024)] public int MaxDocumentBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Blocks one incoming message may run before the conversation is stopped as a loop. Default 100.</summary>
    [Range(1, 10_000)] public int MaxStepsPerMessage { get; set; } = 100;

    /// <summary>Folder of sample flows and <c>fields.json</c> imported when the database has no flow yet. Empty: <c>samples/flows</c> beside the host.</summary>
    public string? SamplesFolder { get; set; }

    /// <summary>Whether to import the samples at first start. Default true.</summary>
    public bool ImportSamples { get; set; } = true;
}
