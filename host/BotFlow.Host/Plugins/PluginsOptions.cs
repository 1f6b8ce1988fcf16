using System.ComponentModel.DataAnnotations;

namespace BotFlow.Host.Plugins;

/// <summary>Where block plugins are loaded from. Section <c>BotFlow:Plugins</c>.</summary>
public sealed class PluginsOptions
{
    public const string Section = "BotFlow:Plugins";

    /// <summary>
    /// Folders scanned at start-up, each holding one sub-folder per plugin (<c>&lt;Name&gt;/&lt;Name&gt;.dll</c> with its
    /// <c>deps.json</c> and private dependencies). Default: <c>plugins</c> beside the host's own assembly, where the build
    /// puts the built-in plugins. Relative paths are resolved against the content root.
    /// </summary>
    public List<string> Folders { get; set; } = [];

    /// <summary>How long one block run may take before it is cancelled and the conversation takes its failure path. Default 60 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan BlockTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
