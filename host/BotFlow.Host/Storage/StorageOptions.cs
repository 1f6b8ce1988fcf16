using System.ComponentModel.DataAnnotations;

namespace BotFlow.Host.Storage;

/// <summary>Where BotFlow keeps its data. Section <c>BotFlow:Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "BotFlow:Storage";

    /// <summary>The storage provider. Only <c>Sqlite</c> today; <c>PostgreSql</c> comes with scale-out.</summary>
    [Required, RegularExpression("^(Sqlite)$", ErrorMessage = "BotFlow:Storage:Provider must be 'Sqlite'.")]
    public string Provider { get; set; } = "Sqlite";

    /// <summary>The data folder (relative to the content root). Holds <c>botflow.db</c> and Hangfire's file. Default <c>data</c>.</summary>
    [Required]
    public string DataFolder { get; set; } = "data";

    /// <summary>How long a write waits for SQLite's lock before failing. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
