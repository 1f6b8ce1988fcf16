using System.Data.Common;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BotFlow.Host.Storage;

/// <summary>Several hosts on one PostgreSQL (scale-out.md): pooled connections, concurrent writers, row-level conflicts handled by the database.</summary>
public sealed class PostgresDatabase : BotFlowDatabase, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _lockSource;
    private readonly string _description;

    public PostgresDatabase(IOptions<StorageOptions> options, IConfiguration configuration, IHostEnvironment environment)
    {
        var connectionString = configuration.GetConnectionString("BotFlow")
                               ?? throw new InvalidOperationException("BotFlow:Storage:Provider is PostgreSql but ConnectionStrings:BotFlow is not set.");
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            // The same few statements run for every step: let Npgsql keep them prepared on each connection.
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        _description = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
        // Contact locks hold their connection for a whole step (HTTP calls included): a pool of their own, so in-flight
        // steps can never take every connection the step's own reads and commit need (that deadlocks until timeout).
        var locks = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { MaxPoolSize = Math.Max(200, builder.MaxPoolSize), ApplicationName = "botflow-locks" };
        _lockSource = NpgsqlDataSource.Create(locks);
        DataFolder = Path.GetFullPath(options.Value.DataFolder, environment.ContentRootPath);
        Directory.CreateDirectory(DataFolder);
        ConnectionString = connectionString;
    }

    public override string Provider => "PostgreSql";

    public override string DataFolder { get; }

    /// <summary>For Hangfire.PostgreSql, which takes a connection string of its own.</summary>
    public string ConnectionString { get; }

    public override string Describe() => _description;

    public override async Task<DbConnection> OpenAsync(CancellationToken ct) => await _dataSource.OpenConnectionAsync(ct);

    /// <summary>A connection from the lock pool (see the constructor).</summary>
    public async Task<DbConnection> OpenLockConnectionAsync(CancellationToken ct) => await _lockSource.OpenConnectionAsync(ct);

    public override Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct) => WithReconnectAsync(async () =>
    {
        await using var connection = await OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var result = await work(connection, tx);
        await tx.CommitAsync(ct);
        return result;
    });

    public override Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct) => WithReconnectAsync(async () =>
    {
        await using var connection = await OpenAsync(ct);
        return await work(connection);
    });

    /// <summary>
    /// After PostgreSQL restarted, every pooled connection is dead; the first use of each fails. Emptying the pools and
    /// trying once more on a fresh connection is how a host recovers by itself. A failed transaction committed nothing,
    /// so the second try cannot apply anything twice.
    /// </summary>
    internal async Task<T> WithReconnectAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (NpgsqlException ex) when (ex.IsTransient)
        {
            _dataSource.Clear();
            _lockSource.Clear();
            return await work();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await _lockSource.DisposeAsync();
    }
}
