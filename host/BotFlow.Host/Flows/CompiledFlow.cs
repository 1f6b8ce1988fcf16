using BotFlow.Host.Plugins;

namespace BotFlow.Host.Flows;

/// <summary>A flow version ready to run: block types resolved and configs deserialised once, shared by every conversation on it.</summary>
public sealed class CompiledFlow(string id, string name, int version, string start, IReadOnlyDictionary<string, CompiledBlock> blocks)
{
    public string Id { get; } = id;
    public string Name { get; } = name;
    public int Version { get; } = version;
    public string Start { get; } = start;
    public IReadOnlyDictionary<string, CompiledBlock> Blocks { get; } = blocks;
}

public sealed record CompiledBlock(string Id, BlockTypeDescriptor Type, object Config, IReadOnlyDictionary<string, string> Exits)
{
    /// <summary>The names of the exits the flow connects (what a block sees as its connected exits), listed once.</summary>
    public IReadOnlyCollection<string> ExitNames { get; } = [.. Exits.Keys];
}
