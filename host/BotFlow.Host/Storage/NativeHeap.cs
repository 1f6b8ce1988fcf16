namespace BotFlow.Host.Storage;

/// <summary>
/// Says, in the start-up line, how the C library's allocator was set up for this process. glibc gives threads heaps
/// ("arenas") of their own, up to eight per core; the host's native allocations — SQLite's page caches and statements
/// above all — are made by whichever thread-pool thread runs the step, threads come and go with the load, and memory
/// freed in one arena is not reused by another, so the resident memory grows after every lull. Measured under the
/// boleto load after 90 s idle (docs/benchmarks.md, fourteenth pass): peak RSS 209–213 MB with glibc's default
/// (15 arenas), 196 MB with <c>MALLOC_ARENA_MAX=2</c>, at the same CPU per request (side-by-side A/B 0.98).
/// </summary>
/// <remarks>
/// glibc reads <c>MALLOC_ARENA_MAX</c> only from the environment the process starts with; by the time any managed code
/// runs, the runtime's own threads have made seven or more arenas, and capping them then (<c>mallopt</c>, tried at the
/// top of <c>Program</c>) left 8 arenas and the same peak. So the setting belongs to how the host is started: the
/// README's run command (launchSettings.json), the load harness and docs/configuration.md's service examples set it.
/// </remarks>
internal static class NativeHeap
{
    /// <summary><c>MALLOC_ARENA_MAX=…</c> when set; otherwise a reminder where to set it (Linux), or nothing to say.</summary>
    public static string Describe() =>
        Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is { Length: > 0 } set ? $"MALLOC_ARENA_MAX={set}"
        : OperatingSystem.IsLinux() ? "glibc's default malloc arenas; MALLOC_ARENA_MAX=2 keeps memory lower, docs/configuration.md"
        : "native allocator defaults";
}
