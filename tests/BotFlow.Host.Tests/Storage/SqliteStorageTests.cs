using BotFlow.Host.Storage;
using BotFlow.Host.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace BotFlow.Host.Tests.Storage;

public sealed class SqliteStorageTests
{
    [Fact]
    public async Task Native_sqlite_is_at_least_3_50_2()
    {
        using var app = new BotFlowApp();
        var database = app.Services.GetRequiredService<SqliteDatabase>();

        var version = await database.ReadAsync(c => SqliteDatabase.GetSqliteVersionAsync(c, CancellationToken.None), CancellationToken.None);

        Assert.True(version >= new Version(3, 50, 2), $"SQLite {version}");
    }

    [Fact]
    public async Task The_database_runs_in_wal_mode()
    {
        using var app = new BotFlowApp();
        var database = app.Services.GetRequiredService<SqliteDatabase>();

        var mode = await database.ReadAsync(async c => (string?)await SqliteDatabase.Command(c, "PRAGMA journal_mode").ExecuteScalarAsync(), CancellationToken.None);

        Assert.Equal("wal", mode);
    }

    [Fact]
    public async Task A_database_with_a_newer_schema_is_refused_at_start()
    {
        var folder = BotFlowApp.NewFolder();
        using (var app = new BotFlowApp(folder))
        {
            var database = app.Services.GetRequiredService<SqliteDatabase>();
            await database.WriteAsync((c, tx) => SqliteDatabase.Command(c, "insert into schema_version (version) values (999)", tx).ExecuteNonQueryAsync(), CancellationToken.None);
        }

        using var newer = new BotFlowApp(folder);
        var error = Assert.ThrowsAny<Exception>(() => newer.Services);
        Assert.Contains("schema version 999", error.ToString(), StringComparison.Ordinal);
    }
}
