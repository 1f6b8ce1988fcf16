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
}
