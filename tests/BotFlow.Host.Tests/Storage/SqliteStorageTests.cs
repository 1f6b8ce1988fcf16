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

}
