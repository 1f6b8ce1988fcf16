using System.Data.Common;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BotFlow.Host.Storage;

/// <summary>Several hosts on one PostgreSQL (scale-out.md): pooled connections, concurrent writers, row-level conflicts handled by the database.</summary>
public sealed class PostgresDatabase : BotFlowDatabase, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _description;

    public PostgresDatabase(IOptions<StorageOptions> options, IConfiguration configuration, IHostEnvironment environment)
    {
        var connectionString = configuration.GetConnectionString("BotFlow")
                               ?? throw new InvalidOperationException("BotFlow:Storage:Provider is PostgreSql but ConnectionStrings:BotFlow is not set.");
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        _description = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
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

    public override async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var result = await work(connection, tx);
        await tx.CommitAsync(ct);
        return result;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
