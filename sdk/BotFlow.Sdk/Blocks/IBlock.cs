using BotFlow.Sdk.Context;
using BotFlow.Sdk.Validation;

namespace BotFlow.Sdk.Blocks;

/// <summary>
/// A block type as the host sees it. Implement <see cref="Block{TConfig}"/> rather than this interface: it binds the
/// config type, the exits and the validation for you. One instance serves every conversation at once, so a block keeps
/// no per-conversation state in fields: everything a run needs comes through its <see cref="IBlockContext"/>.
/// </summary>
public interface IBlock
{
    /// <summary>The type the host deserialises the block's <c>config</c> into (a class or record with public properties).</summary>
    Type ConfigType { get; }

    /// <summary>The exits this block can take with <paramref name="config"/>.</summary>
    IReadOnlyList<string> GetExits(object config);

    /// <summary>Checks a config beyond its data annotations; report problems through <paramref name="context"/>.</summary>
    void Validate(object config, IBlockValidationContext context);

    /// <summary>Runs the block when the conversation enters it.</summary>
    ValueTask<BlockResult> RunAsync(IBlockContext context);

    /// <summary>Runs the block again with the contact's message after it returned <see cref="BlockResult.Wait"/>.</summary>
    ValueTask<BlockResult> ResumeAsync(IBlockContext context);
}

/// <summary>
/// Base class of a block type with a config of type <typeparamref name="TConfig"/>. Override
/// <see cref="RunAsync(IBlockContext{TConfig})"/>; override <see cref="ResumeAsync(IBlockContext{TConfig})"/> when the
/// block waits for the contact's answer.
/// </summary>
/// <typeparam name="TConfig">The block's config: plain public properties and BCL <c>System.ComponentModel.DataAnnotations</c>
/// attributes only, because attributes of a plugin's private libraries (its own Newtonsoft.Json, say) are invisible to the host.</typeparam>
public abstract class Block<TConfig> : IBlock where TConfig : class
{
    private IReadOnlyList<string>? _declaredExits;

    /// <inheritdoc />
    public Type ConfigType => typeof(TConfig);

    /// <summary>The exits declared with <see cref="ExitsAttribute"/>, or <c>default</c> when none is declared.</summary>
    protected IReadOnlyList<string> DeclaredExits => _declaredExits ??=
        (Attribute.GetCustomAttribute(GetType(), typeof(ExitsAttribute)) as ExitsAttribute)?.Exits
        ?? [BlockResult.DefaultExit];

    /// <summary>The exits this block can take with <paramref name="config"/>. Defaults to the declared exits.</summary>
    public virtual IEnumerable<string> GetExits(TConfig config) => DeclaredExits;

    /// <summary>Checks the config beyond its data annotations (field names, template syntax, cross-property rules).</summary>
    public virtual void Validate(TConfig config, IBlockValidationContext context)
    {
    }

    /// <summary>Runs the block when the conversation enters it.</summary>
    public abstract ValueTask<BlockResult> RunAsync(IBlockContext<TConfig> context);

    /// <summary>Handles the contact's message after the block returned <see cref="BlockResult.Wait"/>.
    /// The default leaves through the <c>default</c> exit.</summary>
    public virtual ValueTask<BlockResult> ResumeAsync(IBlockContext<TConfig> context) => ValueTask.FromResult(BlockResult.Next());

    IReadOnlyList<string> IBlock.GetExits(object config) => GetExits((TConfig)config).ToList();

    void IBlock.Validate(object config, IBlockValidationContext context) => Validate((TConfig)config, context);

    ValueTask<BlockResult> IBlock.RunAsync(IBlockContext context) => RunAsync(Typed(context));

    ValueTask<BlockResult> IBlock.ResumeAsync(IBlockContext context) => ResumeAsync(Typed(context));

    private static IBlockContext<TConfig> Typed(IBlockContext context) =>
        context as IBlockContext<TConfig>
        ?? throw new InvalidOperationException($"The host passed a context for {context.Config?.GetType().Name ?? "no config"}, expected {typeof(TConfig).Name}.");
}
