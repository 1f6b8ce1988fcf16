using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Flows;

/// <summary>A flow document as admins and the editor write it (flow-format.md). Unknown properties are kept.</summary>
public sealed class FlowDocument
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? Start { get; set; }
    public List<BlockDocument> Blocks { get; set; } = [];

    /// <summary>Editor metadata and future properties survive a save.</summary>
    [JsonExtensionData]
    public IDictionary<string, JToken>? Extra { get; set; }
}

/// <summary>One block of a flow.</summary>
public sealed class BlockDocument
{
    public string? Id { get; set; }
    public string? Type { get; set; }
    public JObject? Config { get; set; }

    /// <summary>Shorthand for <c>"exits": { "default": ID }</c>.</summary>
    public string? Next { get; set; }

    public Dictionary<string, string?>? Exits { get; set; }

    [JsonExtensionData]
    public IDictionary<string, JToken>? Extra { get; set; }

    /// <summary>The exits with <c>next</c> folded in as <c>default</c>.</summary>
    public Dictionary<string, string> EffectiveExits()
    {
        var exits = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Exits is not null)
        {
            foreach (var (name, target) in Exits)
            {
                if (!string.IsNullOrEmpty(target))
                {
                    exits[name] = target;
                }
            }
        }

        if (!string.IsNullOrEmpty(Next))
        {
            exits[Sdk.Blocks.BlockResult.DefaultExit] = Next;
        }

        return exits;
    }
}

/// <summary>A problem found in a flow: the block it is in, a JSON path inside the block, and what is wrong.</summary>
public sealed record FlowError(string? BlockId, string Path, string Message);
