using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Storage;

/// <summary>
/// The SQLite file and its connections. Everything dialect-specific (pragmas, upserts, the schema) lives in
/// <c>Storage/Sqlite*</c> so a PostgreSQL provider can implement the same store interfaces.
/// </summary>
public sealed class SqliteDatabase
{
    /// <summary>hardening.md: older native SQLite has CVE-2025-6965.</summary>
    public static readonly Version MinimumSqliteVersion = new(3, 50, 2);

    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;

    // SQLite allows one writer at a time; queueing writers here instead of letting them spin on SQLITE_BUSY
    // keeps latency flat under load.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public SqliteDatabase(IOptions<StorageOptions> options, IHostEnvironment environment)
    {
        var folder = Path.GetFullPath(options.Value.DataFolder, environment.ContentRootPath);
        Directory.CreateDirectory(folder);
        DataFolder = folder;
        FilePath = Path.Combine(folder, "botflow.db");
        _busyTimeoutMs = (int)options.Value.BusyTimeout.TotalMilliseconds;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = Math.Max(1, _busyTimeoutMs / 1000),
        }.ToString();
    }

    public string DataFolder { get; }

    public string FilePath { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA busy_timeout={_busyTimeoutMs}; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction, one writer at a time.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct);
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            var result = await work(connection, tx);
            await tx.CommitAsync(ct);
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public Task WriteAsync(Func<SqliteConnection, SqliteTransaction, Task> work, CancellationToken ct) =>
        WriteAsync(async (c, t) => { await work(c, t); return 0; }, ct);

    public async Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        return await work(connection);
    }

    public static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? tx = null, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    public static async Task<Version> GetSqliteVersionAsync(SqliteConnection connection, CancellationToken ct)
    {
        using var command = Command(connection, "select sqlite_version()");
        var text = (string)(await command.ExecuteScalarAsync(ct))!;
        return Version.Parse(text);
    }
}
