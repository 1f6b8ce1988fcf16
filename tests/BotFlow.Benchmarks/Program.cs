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

        if (args is ["profile-block", ..])
        {
            // Not a benchmark: runs the boleto Integration block in a loop for a profiler (dotnet-trace --profile gc-verbose).
            var block = new IntegrationBenchmarks();
            block.Setup();
            for (var i = 0; i < (args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200_000); i++)
            {
                await block.BoletoBlock();
            }

            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(IntegrationBenchmarks).Assembly).Run(args);
        return 0;
    }
}
