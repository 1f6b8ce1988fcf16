using BotFlow.Sdk.Context;

namespace BotFlow.Sdk.Blocks;

/// <summary>
/// A block the editor can preview and test on its own, with sample field values and no conversation. The context
/// handed in is detached: nothing it changes is stored. Results are plain JSON-like data.
/// </summary>
public interface ITestableBlock
{
    /// <summary>What the block would do, without side effects (for an integration: the request it would build and every error).</summary>
    ValueTask<IReadOnlyDictionary<string, object?>> PreviewAsync(IBlockContext context);

    /// <summary>Runs the block for real against its external system and reports what happened, changing no contact.</summary>
    ValueTask<IReadOnlyDictionary<string, object?>> TestAsync(IBlockContext context);
}
