using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BotFlow.Host.Storage;

/// <summary>
/// Moves an existing SQLite installation into PostgreSQL (scale-out.md): every table row for row, the Data Protection
/// key ring (so encrypted secrets stay readable), and pending background tries re-marked so the first PostgreSQL host
/// gives them new jobs. Refuses a target that already holds data.
/// Usage: <c>dotnet BotFlow.Host.dll migrate-to-postgres &lt;data folder&gt; "&lt;PostgreSQL connection string&gt;"</c>
/// </summary>
public static class SqliteToPostgres
{
    /// <summary>Copy order respects nothing but readability: the schema has no foreign keys between these tables.</summary>
    private static readonly string[] Tables =
    [
        "fields", "flows", "flow_versions", "flow_fields", "contacts", "conversations", "conversation_payloads", "messages", "secrets", "executions",
        "background_executions", "recurring_integrations", "audit", "channels", "channel_inbound",
    ];

    private static readonly (string Table, string Column)[] Sequences = [("messages", "id"), ("executions", "seq"), ("audit", "seq"), ("conversation_payloads", "id")];

    public static async Task<IReadOnlyDictionary<string, int>> RunAsync(string dataFolder, string connectionString, TextWriter output, CancellationToken ct)
    {
        var folder = Path.GetFullPath(dataFolder);
        var sqlitePath = Path.Combine(folder, "botflow.db");
        if (!File.Exists(sqlitePath))
        {
            throw new InvalidOperationException($"No BotFlow database at {sqlitePath}.");
        }

        // Bring both schemas to the latest version first, so the columns match one for one.
        var environment = new MigrationEnvironment(folder);
        using var sqlite = new SqliteDatabase(Options.Create(new StorageOptions { DataFolder = folder }), environment);
        await new SchemaMigrator(sqlite, NullLogger<SchemaMigrator>.Instance).MigrateAsync(ct);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("ConnectionStrings:BotFlow", connectionString)]).Build();
        await using var postgres = new PostgresDatabase(Options.Create(new StorageOptions { DataFolder = folder }), configuration, environment);
        await new SchemaMigrator(postgres, NullLogger<SchemaMigrator>.Instance).MigrateAsync(ct);

        var counts = new Dictionary<string, int>();
        await using var source = (SqliteConnection)await sqlite.OpenAsync(ct);
        await using var target = (NpgsqlConnection)await postgres.OpenAsync(ct);
        await using var tx = await target.BeginTransactionAsync(ct);
        foreach (var table in Tables)
        {
            await using (var check = new NpgsqlCommand($"select exists(select 1 from {table})", target, tx))
            {
                if ((bool)(await check.ExecuteScalarAsync(ct))!)
                {
                    throw new InvalidOperationException($"The PostgreSQL table '{table}' already holds data; migrate into an empty database.");
                }
            }

            await using var select = source.CreateCommand();
            select.CommandText = $"select * from {table}";
            await using var reader = await select.ExecuteReaderAsync(ct);
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            var insert = $"insert into {table} ({string.Join(", ", columns)}) values ({string.Join(", ", columns.Select((_, i) => "$" + (i + 1)))})";
            var rows = 0;
            while (await reader.ReadAsync(ct))
            {
                await using var command = new NpgsqlCommand(insert, target, tx);
                for (var i = 0; i < columns.Length; i++)
                {
                    // Untyped parameters: PostgreSQL takes each value (or null) as the column's own type.
                    command.Parameters.Add(new NpgsqlParameter { Value = reader.IsDBNull(i) ? DBNull.Value : reader.GetValue(i) });
                }

                await command.ExecuteNonQueryAsync(ct);
                rows++;
            }

            counts[table] = rows;
            await output.WriteLineAsync($"{table}: {rows} row(s)");
        }

        foreach (var (table, column) in Sequences)
        {
            await using var reset = new NpgsqlCommand($"select setval(pg_get_serial_sequence('{table}', '{column}'), coalesce((select max({column}) from {table}), 0) + 1, false)", target, tx);
            await reset.ExecuteNonQueryAsync(ct);
        }

        // Jobs live in SQLite's Hangfire file, which does not move: pending tries get new jobs on the first PostgreSQL host.
        await using (var pending = new NpgsqlCommand("update background_executions set job_id = null where status = 'pending'", target, tx))
        {
            counts["pending background tries"] = await pending.ExecuteNonQueryAsync(ct);
        }

        var keys = 0;
        foreach (var file in Directory.Exists(Path.Combine(folder, "keys")) ? Directory.GetFiles(Path.Combine(folder, "keys"), "*.xml") : [])
        {
            await using var key = new NpgsqlCommand("insert into data_protection_keys (friendly_name, xml) values ($1, $2) on conflict (friendly_name) do nothing", target, tx);
            key.Parameters.Add(new NpgsqlParameter { Value = Path.GetFileNameWithoutExtension(file) });
            key.Parameters.Add(new NpgsqlParameter { Value = await File.ReadAllTextAsync(file, ct) });
            keys += await key.ExecuteNonQueryAsync(ct);
        }

        counts["data protection keys"] = keys;
        await tx.CommitAsync(ct);
        await output.WriteLineAsync($"Migrated {sqlitePath} into {postgres.Describe()} ({keys} key(s)). Start the hosts with BotFlow__Storage__Provider=PostgreSql.");
        return counts;
    }

    private sealed class MigrationEnvironment(string folder) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";
        public string ApplicationName { get; set; } = "BotFlow.Host";
        public string ContentRootPath { get; set; } = folder;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
