using BotFlow.Sdk.Blocks;
using BotFlow.Sdk.Context;

namespace BotFlow.TestPlugins.Faulty;

/// <summary>Throws, or hangs, as told: proves a plugin's fault never crashes the host or loses the contact's data.</summary>
[BlockType("tests.faulty")]
[Exits("default", "error")]
public sealed class FaultyBlock : Block<FaultyConfig>
{
    public override async ValueTask<BlockResult> RunAsync(IBlockContext<FaultyConfig> context)
    {
        if (context.Config.Hang)
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }

        throw new InvalidOperationException("partner SDK exploded");
    }
}

public sealed record FaultyConfig(bool Hang = false);
