using System.Runtime.InteropServices;
using SQLitePCL;

namespace BotFlow.Host.Storage;

/// <summary>
/// SQLite's multi-thread mode for this process's connections: no mutex taken and released around every call on a
/// connection (prepare, bind, step, column…), which a step makes by the hundred. Safe only while no connection is ever
/// used by two threads at once, which rests on three rules: ADO.NET connections are not shared (each request's reads,
/// the group commit's writer and the checkpointer hold their own); no SQLite command is left to the garbage collector
/// (its finalizer would finalise the statement on the finalizer thread while the connection's owner goes on —
/// <see cref="BotFlowDatabase.Command"/> says who disposes what); and no connection is closed under its user
/// (<see cref="SqliteDatabase.Dispose"/>). A crash dump of the test suite showed the second rule broken once (the
/// migrator's connection, its per-connection allocator corrupted by a finalised statement): docs/benchmarks.md.
/// Hangfire's SQLite storage opens its own connections with <c>SQLITE_OPEN_NOMUTEX</c> already.
/// <para>
/// With it, SQLite's memory statistics go off (<c>SQLITE_CONFIG_MEMSTATUS</c>, which SQLite's own list of recommended
/// options turns off too): with them on, every allocation and free SQLite makes takes one process-wide mutex to update
/// counters that BotFlow never reads (<c>sqlite3_memory_used</c>, a soft heap limit) — 1.2% of a step's CPU in a
/// <c>perf</c> profile, 0.2% without (docs/benchmarks.md).
/// </para>
/// </summary>
/// <remarks>
/// The mode is process-wide and can only be chosen before SQLite initialises (when the process opens its first
/// connection), so the first SQLite database of the process asks for it — hence the one static flag. If something
/// opened SQLite before, connections stay serialized: correct, only slower; the start-up log line says which.
/// </remarks>
internal static class SqliteThreading
{
    private static int s_requested;

    /// <summary>Asks for multi-thread mode without memory statistics, once per process (SQLite refuses both once initialised: nothing changes then).</summary>
    public static void Request()
    {
        if (Interlocked.Exchange(ref s_requested, 1) == 0)
        {
            Batteries_V2.Init();
            raw.sqlite3_config(raw.SQLITE_CONFIG_MULTITHREAD);
            raw.sqlite3_config(raw.SQLITE_CONFIG_MEMSTATUS, 0);
        }
    }

    /// <summary>Whether the connection runs without its own mutex (multi-thread mode), as SQLite itself reports it.</summary>
    public static bool IsMultiThread(sqlite3 connection) => NativeMethods.sqlite3_db_mutex(connection.DangerousGetHandle()) == IntPtr.Zero;

    private static class NativeMethods
    {
        // Not exposed by SQLitePCLRaw: the same native library its provider binds. NULL when the connection has no mutex.
        [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
        public static extern IntPtr sqlite3_db_mutex(IntPtr db);
    }
}
