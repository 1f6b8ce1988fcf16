using System.ComponentModel.DataAnnotations;

namespace BotFlow.Host.Jobs;

/// <summary>Background jobs (Hangfire). Section <c>BotFlow:Jobs</c>.</summary>
public sealed class JobsOptions
{
    public const string Section = "BotFlow:Jobs";

    /// <summary>Run the Hangfire server and dashboard in this host. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Hangfire's storage: <c>Sqlite</c> (a file in the data folder) or <c>PostgreSql</c> (the shared database). Default: the same as <c>BotFlow:Storage:Provider</c>.</summary>
    [RegularExpression("^(Sqlite|PostgreSql)$", ErrorMessage = "BotFlow:Jobs:Storage must be 'Sqlite' or 'PostgreSql'.")]
    public string? Storage { get; set; }

    /// <summary>Schema of Hangfire's tables in PostgreSQL. Default <c>hangfire</c>.</summary>
    public string PostgresSchema { get; set; } = "hangfire";

    /// <summary>Hangfire's SQLite file name inside the data folder. Default <c>hangfire.db</c>.</summary>
    public string SqliteFile { get; set; } = "hangfire.db";

    /// <summary>Workers running tries at once. Default 20: tries wait on partners, not on the CPU.</summary>
    [Range(1, 200)] public int WorkerCount { get; set; } = 20;

    /// <summary>How often the queue is polled. Default 1 s (hardening.md: 1–2 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")] public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often scheduled tries are moved to the queue. Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")] public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a try taken by a host that then died stays invisible before another worker takes it again. Default 5 min
    /// (SQLite storage has no sliding invisibility; one try is capped well below it by the block's 60 s limit).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")] public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Time zone of schedules and recurring integrations when none is given. Default America/Sao_Paulo.</summary>
    [Required] public string TimeZone { get; set; } = "America/Sao_Paulo";
}
