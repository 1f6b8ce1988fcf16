using BenchmarkDotNet.Running;

namespace BotFlow.Benchmarks;

public static class EntryPoint
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["jobs", ..])
        {
            // Not a BenchmarkDotNet suite: a bounded load run of the real Hangfire server against a loopback upstream.
            return await JobsThroughput.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(IntegrationBenchmarks).Assembly).Run(args);
        return 0;
    }
}
