using System.Runtime.InteropServices;

namespace BotFlow.Host.Storage;

/// <summary>
/// Caps how many heaps ("arenas") the C library's allocator keeps, which bounds the host's native memory under load that
/// comes and goes. glibc gives threads their own arenas (up to eight per core), and the host's native allocations —
/// SQLite's page caches and statements above all — are made by whichever thread-pool thread runs the step; threads come
/// and go with the load, memory freed in one arena is not reused by another, and the process's resident memory grows
/// after every lull. Measured under the boleto load after 90 s idle (docs/benchmarks.md, fourteenth pass): peak RSS
/// 212–213 MB with glibc's default against 196 MB with two arenas, at the same CPU per request (side-by-side A/B 0.98).
/// </summary>
/// <remarks>
/// Process-wide, so applied once at start-up (<see cref="StorageOptions.MallocArenaMax"/>), before the host's threads
/// allocate much; an arena already made stays. The environment variable <c>MALLOC_ARENA_MAX</c>, read by glibc when
/// the process starts, wins: an operator who set it gets exactly that. Linux with glibc only; elsewhere (musl, macOS,
/// Windows) nothing happens and <see cref="Describe"/> says so.
/// </remarks>
internal static class NativeHeap
{
    // glibc's malloc.h: M_ARENA_MAX.
    private const int ArenaMaxParameter = -8;

    /// <summary>What start-up applied, for the start-up log line.</summary>
    public static string Describe() => s_applied;

    private static string s_applied = "C allocator defaults";

    /// <summary>Applies the cap (0 keeps the C library's default); returns what was done.</summary>
    public static string LimitArenas(int arenas)
    {
        if (arenas <= 0 || !OperatingSystem.IsLinux())
        {
            return s_applied;
        }

        if (Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is { Length: > 0 } set)
        {
            return s_applied = $"MALLOC_ARENA_MAX={set} from the environment";
        }

        try
        {
            // mallopt answers 1 on success; musl has the symbol but ignores every parameter (answers 0).
            return s_applied = NativeMethods.mallopt(ArenaMaxParameter, arenas) == 1 ? $"{arenas} malloc arenas" : s_applied;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return s_applied;
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", CallingConvention = CallingConvention.Cdecl)]
        public static extern int mallopt(int param, int value);
    }
}
