using BotFlow.Sdk.Blocks;
using BotFlow.Sdk.Context;

namespace BotFlow.TestPlugins.Broken;

[BlockType("tests.broken")]
public sealed class BrokenBlock : Block<BrokenConfig>
{
    public BrokenBlock() => throw new InvalidOperationException("the partner SDK is not configured");

    public override ValueTask<BlockResult> RunAsync(IBlockContext<BrokenConfig> context) => ValueTask.FromResult(BlockResult.Next());
}

public sealed record BrokenConfig(string? Text = null);
