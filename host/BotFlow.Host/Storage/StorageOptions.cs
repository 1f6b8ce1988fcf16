using System.ComponentModel.DataAnnotations;

namespace BotFlow.Host.Storage;

/// <summary>Where BotFlow keeps its data. Section <c>BotFlow:Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "BotFlow:Storage";

    public const string Sqlite = "Sqlite";
    public const string PostgreSql = "PostgreSql";

    /// <summary><c>Sqlite</c> (default: a file in the data folder, one host) or <c>PostgreSql</c> (several hosts; <c>ConnectionStrings:BotFlow</c>).</summary>
    [Required, RegularExpression("^(Sqlite|PostgreSql)$", ErrorMessage = "BotFlow:Storage:Provider must be 'Sqlite' or 'PostgreSql'.")]
    public string Provider { get; set; } = Sqlite;

    /// <summary>The data folder (relative to the content root). Holds <c>botflow.db</c>, Hangfire's file and (SQLite) Data Protection keys. Default <c>data</c>.</summary>
    [Required]
    public string DataFolder { get; set; } = "data";

    /// <summary>How long a SQLite write waits for the lock before failing. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// SQLite: the WAL size, in pages, at which the background checkpointer (<see cref="WalCheckpointInterval"/>) brings
    /// the WAL back to its start, holding commits back for a few milliseconds; without it, the size at which the commit
    /// that crosses it checkpoints (<c>wal_autocheckpoint</c>), which the write connection otherwise keeps at four times
    /// this as a backstop. Default 8,000 (about 32 MB; under heavy load the WAL reaches about twice that before it starts
    /// over). SQLite's own 1,000 copied the pages every step rewrites (index roots, the ends of the append-only tables)
    /// eight times as often: under the boleto load 8,000 carried 36% more requests per second at 15% less CPU each
    /// (docs/benchmarks.md). Lower it for a smaller WAL file.
    /// </summary>
    [Range(100, 1_000_000)]
    public int WalAutoCheckpointPages { get; set; } = 8_000;

    /// <summary>
    /// SQLite: how often a background connection copies committed WAL pages into the database file (a PASSIVE
    /// checkpoint, which never blocks a commit) and checks whether the WAL has reached <see cref="WalAutoCheckpointPages"/>.
    /// Default 100 ms; zero turns it off (then commits checkpoint inline and pause for longer).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan WalCheckpointInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// SQLite: run the process's connections in SQLite's multi-thread mode (no mutex around every call on a
    /// connection; ~5–7% of a conversation step's CPU, docs/benchmarks.md) and without SQLite's memory statistics (a
    /// process-wide mutex around every allocation). Default true. False keeps SQLite's defaults (serialized mode), for
    /// a process that embeds the host beside other code that shares the same native SQLite and may leave commands to
    /// the garbage collector. Process-wide and read when the first SQLite database starts.
    /// </summary>
    public bool SqliteMultiThread { get; set; } = true;
}
