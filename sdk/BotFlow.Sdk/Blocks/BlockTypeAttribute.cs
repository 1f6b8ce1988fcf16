namespace BotFlow.Sdk.Blocks;

/// <summary>
/// Declares a class as a block type. The host discovers every non-abstract <see cref="IBlock"/> in a plugin
/// assembly that carries this attribute. Built-in types use the short names of the spec (<c>message</c>,
/// <c>integration</c>); third-party types are namespaced <c>vendor.name</c> (for example <c>samples.greeting</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BlockTypeAttribute : Attribute
{
    /// <summary>Declares the block type <paramref name="type"/>.</summary>
    /// <param name="type">The type name used in flow documents: lower-case letters, digits, <c>-</c>, <c>_</c> and <c>.</c>.</param>
    public BlockTypeAttribute(string type) => Type = type;

    /// <summary>The type name used in flow documents.</summary>
    public string Type { get; }

    /// <summary>The name the editor shows in its palette. Defaults to <see cref="Type"/>.</summary>
    public string? DisplayName { get; set; }

    /// <summary>One sentence the editor shows as help for the block.</summary>
    public string? Description { get; set; }

    /// <summary>Palette group in the editor (for example "Messages", "Integrations"). Defaults to the plugin's name.</summary>
    public string? Category { get; set; }
}

/// <summary>
/// The fixed exits a block type can take (for example <c>success</c> and <c>failure</c>). Exits that depend on the
/// config, such as a menu's options, come from <see cref="Block{TConfig}.GetExits(TConfig)"/>. A block type with
/// neither has only the <c>default</c> exit that a flow's <c>next</c> points at.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ExitsAttribute : Attribute
{
    /// <summary>Declares the exits.</summary>
    public ExitsAttribute(params string[] exits) => Exits = exits;

    /// <summary>The exit names, lower-case words.</summary>
    public IReadOnlyList<string> Exits { get; }
}
