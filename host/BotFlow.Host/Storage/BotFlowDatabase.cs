using System.Data;
using System.Data.Common;
using System.Globalization;

namespace BotFlow.Host.Storage;

/// <summary>A null of a known SQL type (PostgreSQL must know the type of every parameter, even a null one).</summary>
public sealed record TypedNull(DbType Type)
{
    public static readonly TypedNull Int = new(DbType.Int32);
    public static readonly TypedNull Long = new(DbType.Int64);
    public static readonly TypedNull Text = new(DbType.String);
}

/// <summary>
/// The database behind every store. The stores' SQL is the portable subset SQLite and PostgreSQL share (named
/// <c>@parameters</c>, <c>on conflict … do update</c>, <c>returning</c>, ISO-8601 text timestamps); what differs — the
/// schema's DDL, connection set-up, write concurrency and per-contact locks — lives in the provider classes.
/// </summary>
public abstract class BotFlowDatabase
{
    public abstract string Provider { get; }

    /// <summary>Where files live (Data Protection keys with SQLite, Hangfire's SQLite file).</summary>
    public abstract string DataFolder { get; }

    /// <summary>A short description for logs and errors (never a password).</summary>
    public abstract string Describe();

    public abstract Task<DbConnection> OpenAsync(CancellationToken ct);

    /// <summary>Runs <paramref name="work"/> in one write transaction.</summary>
    public abstract Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct);

    public Task WriteAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken ct) =>
        WriteAsync(async (c, t) => { await work(c, t); return 0; }, ct);

    /// <summary>The step catalog cache where the provider can keep one (<see cref="StepCatalogCache"/>); <c>null</c>: read every step.</summary>
    public virtual StepCatalogCache? StepCache => null;

    /// <summary>A write to flows or fields: the step catalog cache moves to a new generation after it.</summary>
    public async Task<T> WriteCatalogAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct)
    {
        try
        {
            return await WriteAsync(work, ct);
        }
        finally
        {
            StepCache?.Changed();
        }
    }

    /// <inheritdoc cref="WriteCatalogAsync{T}"/>
    public Task WriteCatalogAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken ct) =>
        WriteCatalogAsync(async (c, t) => { await work(c, t); return 0; }, ct);

    public virtual async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        return await work(connection);
    }

    /// <summary>
    /// Several reads on one connection that must see one state of the data (a conversation step's reads), made after
    /// every commit that returned before this call. Where the provider gains from it, reads of several callers share one
    /// snapshot (SQLite: in rounds on a connection of their own), so <paramref name="work"/> must only read, only through
    /// the connection it is given, and never call back into the database, which would wait for itself. Its second
    /// argument is the <see cref="StepCatalogCache"/> generation taken before the snapshot began: what a value read in
    /// it is cached under.
    /// </summary>
    public virtual Task<T> ReadSnapshotAsync<T>(Func<DbConnection, long, Task<T>> work, CancellationToken ct) =>
        // The generation is taken before the work's first statement, which is where the snapshot begins.
        ReadAsync(c => work(c, StepCache?.Generation ?? 0), ct);

    /// <summary>
    /// Prepared commands of the long-lived connections a provider keeps (SQLite): parsing and finalising a statement on
    /// every call was the largest single cost of a step. Keyed by connection object, so it dies with the connection.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbConnection, Dictionary<string, DbCommand>> Prepared = new();

    /// <summary>Marks a connection as long-lived: its commands are kept prepared and reused, by SQL text.</summary>
    protected static void KeepPrepared(DbConnection connection)
    {
        Prepared.AddOrUpdate(connection, new Dictionary<string, DbCommand>(StringComparer.Ordinal));
        SqliteRawStatements.Keep(connection);
    }

    /// <summary>
    /// Runs a statement that returns no rows; on SQLite's long-lived connections straight on the native handle
    /// (<see cref="SqliteRawStatements"/>), elsewhere as a command. Returns the rows changed.
    /// </summary>
    /// <remarks>
    /// Not an async method, so the parameters can be a span the caller's <c>params</c> keeps on its stack: SQLite binds
    /// them before this returns, and a command copies them into its parameters before it waits (an array per statement
    /// was about 0.8 KB of a conversation step; docs/benchmarks.md, twelfth pass). The same holds for
    /// <see cref="InsertReturningIdsAsync"/> and <see cref="QueryFirstAsync"/>.
    /// </remarks>
    public static ValueTask<int> ExecuteAsync(DbConnection connection, string sql, DbTransaction? tx, CancellationToken ct, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        if (SqliteRawStatements.TryExecute(connection, sql, parameters, out var changes))
        {
            return ValueTask.FromResult(changes);
        }

        return ExecuteAsync(connection, Command(connection, sql, tx, parameters), ct);
    }

    private static async ValueTask<int> ExecuteAsync(DbConnection connection, DbCommand command, CancellationToken ct)
    {
        try
        {
            return await command.ExecuteNonQueryAsync(ct);
        }
        finally
        {
            await ReleaseAsync(connection, command);
        }
    }

    /// <summary>Runs a statement and answers the first column of its first row (null when there is none).</summary>
    public static ValueTask<object?> ScalarAsync(DbConnection connection, string sql, DbTransaction? tx, CancellationToken ct, params ReadOnlySpan<(string Name, object? Value)> parameters) =>
        ScalarAsync(connection, Command(connection, sql, tx, parameters), ct);

    private static async ValueTask<object?> ScalarAsync(DbConnection connection, DbCommand command, CancellationToken ct)
    {
        try
        {
            return await command.ExecuteScalarAsync(ct);
        }
        finally
        {
            await ReleaseAsync(connection, command);
        }
    }

    /// <summary>
    /// Disposes a command unless it is one a long-lived connection keeps prepared. A SQLite command left to the garbage
    /// collector is finalised on the finalizer thread, which finalises its statements on a connection that another
    /// thread may be using by then (the same connection later in its caller, or its native handle back in the pool and
    /// handed to someone else): SQLite's multi-thread mode (<see cref="SqliteThreading"/>) requires that never to happen.
    /// </summary>
    private static ValueTask ReleaseAsync(DbConnection connection, DbCommand command) =>
        Prepared.TryGetValue(connection, out _) ? default : command.DisposeAsync();

    /// <summary>
    /// Runs an insert into a table with an autoincrement id that ends with <c>returning id</c> and adds the ids to
    /// <paramref name="ids"/>, in the order the rows come back (on SQLite's long-lived connections, the order the rows
    /// were given: <see cref="SqliteRawStatements.TryInsert"/>).
    /// </summary>
    public static ValueTask InsertReturningIdsAsync(DbConnection connection, string sql, DbTransaction? tx, List<long> ids, CancellationToken ct,
        params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        if (SqliteRawStatements.TryInsert(connection, sql, parameters, ids))
        {
            return default;
        }

        // Disposed only on a connection that does not keep it: a long-lived connection's next call reuses it prepared.
        return InsertReturningIdsAsync(connection, Command(connection, sql, tx, parameters), ids, ct);
    }

    private static async ValueTask InsertReturningIdsAsync(DbConnection connection, DbCommand command, List<long> ids, CancellationToken ct)
    {
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        finally
        {
            await ReleaseAsync(connection, command);
        }
    }

    /// <summary>
    /// Runs a query and maps its first row with <paramref name="map"/>, or answers default when there is none; on SQLite's
    /// long-lived connections straight on the native handle, elsewhere through a data reader.
    /// </summary>
    internal static Task<T?> QueryFirstAsync<T>(DbConnection connection, string sql, Func<IStoredRow, T> map, CancellationToken ct,
        params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        if (SqliteRawStatements.TryQueryFirst(connection, sql, parameters, map, out var value))
        {
            return Task.FromResult(value);
        }

        // Disposed only on a connection that does not keep it: a long-lived connection's next call reuses it prepared.
        return QueryFirstAsync(connection, Command(connection, sql, null, parameters), map, ct);
    }

    private static async Task<T?> QueryFirstAsync<T>(DbConnection connection, DbCommand command, Func<IStoredRow, T> map, CancellationToken ct)
    {
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? map(new ReaderRow(reader)) : default;
        }
        finally
        {
            await ReleaseAsync(connection, command);
        }
    }

    /// <summary>
    /// A command for <paramref name="sql"/>: on a long-lived connection its kept, prepared one (never dispose that one:
    /// the next call reuses it; closing the connection disposes it), elsewhere a new one the caller must dispose
    /// (<see cref="ReleaseAsync"/> says why) — or use <see cref="ExecuteAsync"/> and <see cref="ScalarAsync"/>, which do.
    /// </summary>
    public static DbCommand Command(DbConnection connection, string sql, DbTransaction? tx = null, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        DbCommand command;
        if (Prepared.TryGetValue(connection, out var cache))
        {
            // A connection is used by one caller at a time, so its cache needs no lock.
            if (!cache.TryGetValue(sql, out command!))
            {
                command = connection.CreateCommand();
                command.CommandText = sql;
                cache[sql] = command;
            }

            if (SameNames(command.Parameters, parameters))
            {
                // The same statement with the same names: new values into the parameter objects it already has.
                command.Transaction = tx;
                for (var i = 0; i < parameters.Length; i++)
                {
                    Assign(command.Parameters[i], parameters[i].Value);
                }

                return command;
            }

            command.Parameters.Clear();
        }
        else
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
        }

        command.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            Assign(parameter, value);
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static bool SameNames(DbParameterCollection existing, ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        if (existing.Count != parameters.Length)
        {
            return false;
        }

        for (var i = 0; i < parameters.Length; i++)
        {
            if (!string.Equals(existing[i].ParameterName, parameters[i].Name, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static void Assign(DbParameter parameter, object? value)
    {
        switch (value)
        {
            case null:
                parameter.DbType = DbType.String;
                parameter.Value = DBNull.Value;
                break;
            case TypedNull typed:
                parameter.DbType = typed.Type;
                parameter.Value = DBNull.Value;
                break;
            default:
                // A reused parameter may carry the type of an earlier null; the value's own type decides again.
                parameter.ResetDbType();
                parameter.Value = value;
                break;
        }
    }

    public static int Int(DbDataReader reader, int ordinal) => Convert.ToInt32(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    public static long Long(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    public static int? NullableInt(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Int(reader, ordinal);

    public static bool Bool(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture) != 0;
}
