using Npgsql;

namespace BotFlow.Host.Tests.Infrastructure;

/// <summary>
/// The storage providers a test runs against. SQLite always; PostgreSQL when BOTFLOW_TEST_POSTGRES names a server
/// (an admin connection string; `.ci/run` starts a private cluster and sets it). With BOTFLOW_REQUIRE_POSTGRES=1 (CI)
/// a missing server fails the tests instead of leaving PostgreSQL out.
/// </summary>
public static class Providers
{
    public const string Sqlite = "Sqlite";
    public const string PostgreSql = "PostgreSql";

    public static string? PostgresAdmin => Environment.GetEnvironmentVariable("BOTFLOW_TEST_POSTGRES");

    public static bool PostgresRequired => Environment.GetEnvironmentVariable("BOTFLOW_REQUIRE_POSTGRES") == "1";

    public static TheoryData<string> All
    {
        get
        {
            var data = new TheoryData<string> { Sqlite };
            if (PostgresAdmin is not null || PostgresRequired)
            {
                data.Add(PostgreSql);
            }

            return data;
        }
    }

    /// <summary>A fresh, empty database on the test server; returns its connection string.</summary>
    public static string CreatePostgresDatabase()
    {
        var admin = PostgresAdmin ?? throw new InvalidOperationException(
            "PostgreSQL tests are required (BOTFLOW_REQUIRE_POSTGRES=1) but BOTFLOW_TEST_POSTGRES is not set: start a server and set an admin connection string.");
        var name = "botflow_test_" + Guid.NewGuid().ToString("N")[..12];
        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"create database {name}";
            command.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    /// <summary>An app on <paramref name="provider"/>; for PostgreSQL on <paramref name="connectionString"/> or a new database.</summary>
    public static BotFlowApp App(string provider, string? dataFolder = null, string? connectionString = null, string environment = "Development")
    {
        var app = new BotFlowApp(dataFolder, environment);
        if (provider == PostgreSql)
        {
            app.Set("BotFlow:Storage:Provider", PostgreSql).Set("ConnectionStrings:BotFlow", connectionString ?? CreatePostgresDatabase());
        }

        return app;
    }
}

/// <summary>
/// A test that needs PostgreSQL: skipped with a clear message when no server is configured on a developer's machine,
/// never in CI (BOTFLOW_REQUIRE_POSTGRES=1 makes it run and fail without a server).
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (Providers.PostgresAdmin is null && !Providers.PostgresRequired)
        {
            Skip = "PostgreSQL is not configured: set BOTFLOW_TEST_POSTGRES to an admin connection string (.ci/run starts a server and sets it).";
        }
    }
}
