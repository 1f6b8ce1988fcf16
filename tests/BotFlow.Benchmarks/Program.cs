using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(BotFlow.Benchmarks.IntegrationBenchmarks).Assembly).Run(args);
