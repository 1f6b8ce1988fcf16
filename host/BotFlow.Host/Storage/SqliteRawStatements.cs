using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace BotFlow.Host.Storage;

/// <summary>
/// The writes of a conversation step on SQLite's long-lived connections, run on the connection's native handle with
/// statements prepared once. The SQL is the same text the PostgreSQL provider runs through ADO.NET; only the way it is
/// executed differs (an insert whose ids are read from the connection leaves out its <c>returning id</c>:
/// <see cref="TryInsert"/>). Microsoft.Data.Sqlite builds a data reader and a binder object per parameter on every execution
/// and converts every string to a new UTF-8 array: for a boleto step's writes (contact, conversation, messages,
/// execution record, 40-odd parameters) that was about 4 KB and a few microseconds per statement (docs/benchmarks.md).
/// Errors surface as the same <see cref="SqliteException"/> Microsoft.Data.Sqlite throws, so callers (group commit's
/// one-by-one retry, the storage-unavailable handler) see no difference.
/// </summary>
internal static class SqliteRawStatements
{
    private sealed class Prepared(sqlite3_stmt statement)
    {
        public sqlite3_stmt Statement { get; } = statement;

        /// <summary>The parameter names the indexes were looked up for; another call with other names looks them up again.</summary>
        public string[] Names { get; set; } = [];

        public int[] Indexes { get; set; } = [];

        /// <summary>Prepared without the text's trailing <c>returning id</c> (<see cref="TryInsert"/>).</summary>
        public bool WithoutReturningId { get; init; }
    }

    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, Prepared>> Statements = new();

    /// <summary>
    /// Marks a long-lived connection: its statements are prepared on first use and finalised when it closes (a pooled
    /// handle goes back to Microsoft.Data.Sqlite's pool and must not carry statements of ours).
    /// </summary>
    public static void Keep(DbConnection connection)
    {
        if (connection is not SqliteConnection sqlite)
        {
            return;
        }

        var statements = new Dictionary<string, Prepared>(StringComparer.Ordinal);
        Statements.AddOrUpdate(sqlite, statements);
        sqlite.StateChange += (_, e) =>
        {
            if (e.CurrentState != System.Data.ConnectionState.Open)
            {
                Finalize(statements);
            }
        };
    }

    private static void Finalize(Dictionary<string, Prepared> statements)
    {
        foreach (var prepared in statements.Values)
        {
            prepared.Statement.Dispose();
        }

        statements.Clear();
    }

    /// <summary>
    /// Runs <paramref name="sql"/> on a kept connection (rows it returns are skipped). False when the connection is not a
    /// kept SQLite connection or a value is of a type this path does not bind: the caller runs the statement through
    /// ADO.NET instead.
    /// </summary>
    public static bool TryExecute(DbConnection connection, string sql, ReadOnlySpan<(string Name, object? Value)> parameters, out int changes)
    {
        changes = 0;
        if (!TryBind(connection, sql, parameters, out var db, out var stmt))
        {
            return false;
        }

        try
        {
            int step;
            while ((step = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
            {
                // A row the caller does not read: stepping on runs the statement to its end.
            }

            Check(step, db);
            changes = raw.sqlite3_changes(db);
            return true;
        }
        finally
        {
            Reset(stmt);
        }
    }

    /// <summary>The clause <see cref="TryInsert"/> leaves out: the ids come from the connection instead.</summary>
    public const string ReturningId = " returning id";

    /// <summary>
    /// Runs an insert of one or more rows into a table with an <c>integer primary key autoincrement</c> on a kept
    /// connection and adds the new rows' ids to <paramref name="ids"/> in the order the rows were given, without running
    /// <paramref name="sql"/>'s trailing <c>returning id</c>. SQLite runs RETURNING by storing every returned row in a
    /// temporary b-tree it opens and closes per execution (a page cache, a cursor and the rows themselves): a step's
    /// messages spent more on that than on inserting them (docs/benchmarks.md, "Eighth pass"). The ids are read from the
    /// connection instead: with AUTOINCREMENT each row of one statement gets one more than the row before it (never a
    /// random id, and nothing else writes between two rows of a statement), so the statement's rows have the
    /// <c>sqlite3_changes</c> ids ending at <c>sqlite3_last_insert_rowid</c>. False as for <see cref="TryExecute"/>.
    /// </summary>
    public static bool TryInsert(DbConnection connection, string sql, ReadOnlySpan<(string Name, object? Value)> parameters, List<long> ids)
    {
        if (!sql.EndsWith(ReturningId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"An insert whose ids are read from the connection ends with '{ReturningId}': {sql}", nameof(sql));
        }

        if (!TryBind(connection, sql, parameters, out var db, out var stmt, withoutReturningId: true))
        {
            return false;
        }

        try
        {
            var step = raw.sqlite3_step(stmt);
            if (step == raw.SQLITE_ROW)
            {
                throw new InvalidOperationException($"An insert whose ids are read from the connection returned rows: {sql}");
            }

            Check(step, db);
            var last = raw.sqlite3_last_insert_rowid(db);
            var rows = raw.sqlite3_changes(db);
            for (var id = last - rows + 1; id <= last; id++)
            {
                ids.Add(id);
            }

            return true;
        }
        finally
        {
            Reset(stmt);
        }
    }

    /// <summary>
    /// Runs the query <paramref name="sql"/> on a kept connection and maps its first row, if any, with
    /// <paramref name="map"/> (<paramref name="value"/> is default when there is none). False as for
    /// <see cref="TryExecute"/>: the caller reads through ADO.NET instead.
    /// </summary>
    public static bool TryQueryFirst<T>(DbConnection connection, string sql, ReadOnlySpan<(string Name, object? Value)> parameters, Func<IStoredRow, T> map, out T? value)
    {
        value = default;
        if (!TryBind(connection, sql, parameters, out var db, out var stmt))
        {
            return false;
        }

        try
        {
            var step = raw.sqlite3_step(stmt);
            if (step == raw.SQLITE_ROW)
            {
                value = map(new RawRow(stmt));
                return true;
            }

            Check(step, db);
            return true;
        }
        finally
        {
            Reset(stmt);
        }
    }

    // Reset even after a failure, so the statement holds no lock into the rollback; the next call binds every parameter again.
    private static void Reset(sqlite3_stmt stmt)
    {
        raw.sqlite3_reset(stmt);
        raw.sqlite3_clear_bindings(stmt);
    }

    /// <summary>The kept statement for <paramref name="sql"/> with every parameter bound, or false (see <see cref="TryExecute"/>).</summary>
    private static bool TryBind(DbConnection connection, string sql, ReadOnlySpan<(string Name, object? Value)> parameters, out sqlite3 db, out sqlite3_stmt stmt,
        bool withoutReturningId = false)
    {
        db = null!;
        stmt = null!;
        if (connection is not SqliteConnection { Handle: { } handle } sqlite || !Statements.TryGetValue(sqlite, out var statements))
        {
            return false;
        }

        db = handle;
        if (!statements.TryGetValue(sql, out var prepared) || prepared.WithoutReturningId != withoutReturningId)
        {
            if (prepared is not null)
            {
                // The same text run the other way (never done by the stores): prepared again as asked.
                prepared.Statement.Dispose();
                statements.Remove(sql);
            }

            var text = withoutReturningId ? sql[..^ReturningId.Length] : sql;
            Check(raw.sqlite3_prepare_v3(db, text, raw.SQLITE_PREPARE_PERSISTENT, out var statement, out var tail), db);
            if (statement.IsInvalid || !string.IsNullOrWhiteSpace(tail))
            {
                statement.Dispose();
                // One statement per call; anything else goes the ordinary way.
                return false;
            }

            prepared = new Prepared(statement) { WithoutReturningId = withoutReturningId };
            statements[sql] = prepared;
        }

        stmt = prepared.Statement;
        if (!SameNames(prepared.Names, parameters))
        {
            var names = new string[parameters.Length];
            var indexes = new int[parameters.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                names[i] = parameters[i].Name;
                indexes[i] = raw.sqlite3_bind_parameter_index(stmt, parameters[i].Name);
                if (indexes[i] == 0)
                {
                    throw new InvalidOperationException($"The statement has no parameter {parameters[i].Name}: {sql}");
                }
            }

            prepared.Names = names;
            prepared.Indexes = indexes;
        }

        var bound = false;
        try
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                var rc = Bind(stmt, prepared.Indexes[i], parameters[i].Value);
                if (rc == NotBound)
                {
                    // A value of a type bound only by Microsoft.Data.Sqlite: the finally clears what was bound.
                    return false;
                }

                Check(rc, db);
            }

            bound = true;
            return true;
        }
        finally
        {
            if (!bound)
            {
                Reset(stmt);
            }
        }
    }

    private static bool SameNames(string[] names, ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        if (names.Length != parameters.Length)
        {
            return false;
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (!ReferenceEquals(names[i], parameters[i].Name) && names[i] != parameters[i].Name)
            {
                return false;
            }
        }

        return true;
    }

    private const int NotBound = -1;

    // The same conversions Microsoft.Data.Sqlite applies to these CLR types (text, integer, real, null); any other
    // type answers NotBound.
    private static int Bind(sqlite3_stmt stmt, int index, object? value) => value switch
    {
        null or DBNull or TypedNull => raw.sqlite3_bind_null(stmt, index),
        string s => BindText(stmt, index, s),
        long l => raw.sqlite3_bind_int64(stmt, index, l),
        int n => raw.sqlite3_bind_int64(stmt, index, n),
        bool b => raw.sqlite3_bind_int64(stmt, index, b ? 1 : 0),
        double d => raw.sqlite3_bind_double(stmt, index, d),
        _ => NotBound,
    };

    /// <summary>
    /// Text as UTF-8 encoded here: SQLite's own UTF-16 to UTF-8 translation (<c>sqlite3_bind_text16</c>) goes character by
    /// character and was 8% of a step storing a 16 KiB answer; .NET's encoder is vectorised. SQLite copies the bytes
    /// (SQLITE_TRANSIENT), so a stack or pooled buffer serves. The stored bytes are the same for any valid text.
    /// </summary>
    private static int BindText(sqlite3_stmt stmt, int index, string text)
    {
        const int StackBytes = 512;
        if (text.Length == 0)
        {
            // An empty span pins as a null pointer, which SQLite would bind as NULL; Microsoft.Data.Sqlite binds ''.
            return raw.sqlite3_bind_text(stmt, index, string.Empty);
        }

        var max = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max <= StackBytes)
        {
            Span<byte> buffer = stackalloc byte[StackBytes];
            var length = System.Text.Encoding.UTF8.GetBytes(text, buffer);
            return raw.sqlite3_bind_text(stmt, index, buffer[..length]);
        }

        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var length = System.Text.Encoding.UTF8.GetBytes(text, rented);
            return raw.sqlite3_bind_text(stmt, index, rented.AsSpan(0, length));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }
}
