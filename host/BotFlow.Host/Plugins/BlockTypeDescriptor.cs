using BotFlow.Sdk.Blocks;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Plugins;

/// <summary>A loaded block type: the plugin's instance plus what the editor and the validator need about it.</summary>
public sealed class BlockTypeDescriptor
{
    public required string Type { get; init; }
    public required string Plugin { get; init; }
    public required string Version { get; init; }
    public required string DisplayName { get; init; }
    public string? Description { get; init; }
    public string? Category { get; init; }
    public required IReadOnlyList<string> Exits { get; init; }

    /// <summary>True when more exits come from the config (a menu's options).</summary>
    public bool DynamicExits { get; init; }

    public required JObject ConfigSchema { get; init; }
    public required IBlock Block { get; init; }
    public required Type ConfigType { get; init; }

    /// <summary>Creates the typed run context for this block's config type without reflection per run.</summary>
    public required Func<Conversations.BlockContextState, object, Sdk.Context.IBlockContext> CreateContext { get; init; }
}

/// <summary>A plugin folder and what became of it.</summary>
public sealed record PluginInfo(string Name, string? Version, string Path, string Status, string? Error, IReadOnlyList<string> BlockTypes, IReadOnlyList<string>? ChannelTypes = null)
{
    public const string Loaded = "loaded";
    public const string Failed = "failed";
}

/// <summary>A channel type a plugin provides; one instance serves every configured channel of the type.</summary>
public sealed record ChannelTypeDescriptor(string Type, string Plugin, string Version, string DisplayName, Sdk.Channels.IChannel Channel);
