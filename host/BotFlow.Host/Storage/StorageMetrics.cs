using System.Diagnostics.Metrics;

namespace BotFlow.Host.Storage;

/// <summary>
/// The storage figures operators watch (<c>dotnet-counters monitor -p &lt;pid&gt; --counters BotFlow.Storage</c>) and the
/// benchmarks quote: how many conversation steps share one commit, and how many step reads share one snapshot.
/// </summary>
internal static class StorageMetrics
{
    private static readonly Meter Meter = new("BotFlow.Storage");

    /// <summary>Steps per group commit (SQLite).</summary>
    public static readonly Histogram<int> CommitSteps =
        Meter.CreateHistogram<int>("botflow.storage.commit.steps", "{step}", "Conversation steps committed in one transaction");

    /// <summary>Step reads per round (SQLite): the reads that shared one snapshot and one page-cache refill.</summary>
    public static readonly Histogram<int> ReadRoundReads =
        Meter.CreateHistogram<int>("botflow.storage.read.round", "{read}", "Conversation step reads run in one read transaction");
}
