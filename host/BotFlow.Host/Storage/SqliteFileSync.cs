using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace BotFlow.Host.Storage;

/// <summary>
/// Syncs a connection's database file to disk through SQLite's own file object (<c>SQLITE_FCNTL_FILE_POINTER</c> and
/// the VFS's <c>xSync</c>, both public SQLite API). A PASSIVE checkpoint that does not reach the end of the WAL copies
/// pages into the database file without syncing it (the WAL still holds them); the checkpoint that completes then syncs
/// every page copied since the WAL last started over. Syncing them earlier, while nobody waits, leaves that last sync
/// only the pages of its own pass. The file is not opened a second time on purpose: closing another descriptor of the
/// file would drop this process's SQLite locks on it (POSIX locks belong to the process, not the descriptor).
/// </summary>
internal static class SqliteFileSync
{
    private const int FileControlFilePointer = 7; // SQLITE_FCNTL_FILE_POINTER
    private const int SyncNormal = 2; // SQLITE_SYNC_NORMAL

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SyncMethod(IntPtr file, int flags);

    // The same library name SQLitePCLRaw's provider imports, so it resolves to the same loaded native SQLite.
    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_file_control(IntPtr db, [MarshalAs(UnmanagedType.LPUTF8Str)] string database, int op, out IntPtr file);

    // Whether the loaded native SQLite exports the call is a fact about the process, not about one database.
    private static volatile bool _unavailable;

    /// <summary>
    /// Syncs the main database file of <paramref name="connection"/>; false when it could not (another SQLite build, a
    /// VFS error). Only a head start for the checkpoint, which syncs anyway, so a failure costs time and nothing else.
    /// The connection must not be in use by another thread meanwhile.
    /// </summary>
    public static bool TrySync(SqliteConnection connection)
    {
        if (_unavailable || connection.Handle is not { } handle)
        {
            return false;
        }

        try
        {
            if (sqlite3_file_control(handle.DangerousGetHandle(), "main", FileControlFilePointer, out var file) != 0 || file == IntPtr.Zero)
            {
                return false;
            }

            // sqlite3_file starts with its sqlite3_io_methods pointer; in that struct xSync follows iVersion (an int padded
            // to a pointer), xClose, xRead, xWrite and xTruncate.
            var methods = Marshal.ReadIntPtr(file);
            var sync = Marshal.ReadIntPtr(methods, 5 * IntPtr.Size);
            return Marshal.GetDelegateForFunctionPointer<SyncMethod>(sync)(file, SyncNormal) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
            return false;
        }
    }
}
