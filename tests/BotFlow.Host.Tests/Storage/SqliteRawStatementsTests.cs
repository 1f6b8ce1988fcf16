using BotFlow.Host.Storage;
using BotFlow.Host.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace BotFlow.Host.Tests.Storage;

/// <summary>The native-handle path of a step's writes must store exactly what ADO.NET stores and fail the same way.</summary>
public sealed class SqliteRawStatementsTests
{
    private const string Insert = "insert into t (id, s, i, b, d, n) values (@id, @s, @i, @b, @d, @n)";

    private static SqliteConnection Open(string folder)
    {
        Directory.CreateDirectory(folder);
        var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "raw.db")};Pooling=false");
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = "create table if not exists t (id text primary key, s text, i integer, b integer, d real, n integer)";
        create.ExecuteNonQuery();
        return connection;
    }

    private static (string Name, object? Value)[] Row(string id) =>
        [("@id", id), ("@s", "João Conceição ✓"), ("@i", 42), ("@b", true), ("@d", 123.45), ("@n", TypedNull.Int)];

    private static string Stored(SqliteConnection connection, string id)
    {
        using var select = connection.CreateCommand();
        select.CommandText = "select typeof(s), s, typeof(i), i, b, typeof(d), d, typeof(n) from t where id = @id";
        select.Parameters.AddWithValue("@id", id);
        using var reader = select.ExecuteReader();
        Assert.True(reader.Read());
        return string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Stores_the_same_values_and_types_as_ado_net()
    {
        using var connection = Open(BotFlowApp.NewFolder());
        await BotFlowDatabase.ExecuteAsync(connection, Insert, null, CancellationToken.None, Row("ado"));
        SqliteRawStatements.Keep(connection);

        Assert.True(SqliteRawStatements.TryExecute(connection, Insert, Row("raw"), out var changes));

        Assert.Equal(1, changes);
        Assert.Equal(Stored(connection, "ado"), Stored(connection, "raw"));
        Assert.Equal("text|João Conceição ✓|integer|42|1|real|123.45|null", Stored(connection, "raw"));
    }

    [Theory]
    [InlineData(0, "x")]
    [InlineData(1, "a")]
    [InlineData(170, "ç✓")]        // just past the stack buffer once encoded (3 bytes a character at most)
    [InlineData(20_000, "João ✓ 😀")] // a pooled buffer; a character outside the BMP (a surrogate pair)
    public async Task Text_of_any_length_is_stored_as_ado_net_stores_it(int repeat, string piece)
    {
        using var connection = Open(BotFlowApp.NewFolder());
        var text = string.Concat(Enumerable.Repeat(piece, repeat));
        (string, object?)[] Row(string id) => [("@id", id), ("@s", text), ("@i", 1), ("@b", false), ("@d", 0.5), ("@n", TypedNull.Int)];
        await BotFlowDatabase.ExecuteAsync(connection, Insert, null, CancellationToken.None, Row("ado"));
        SqliteRawStatements.Keep(connection);

        Assert.True(SqliteRawStatements.TryExecute(connection, Insert, Row("raw"), out _));

        Assert.Equal(Stored(connection, "ado"), Stored(connection, "raw"));
        Assert.StartsWith("text|", Stored(connection, "raw"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_constraint_violation_is_the_same_sqlite_exception_and_the_statement_stays_usable()
    {
        using var connection = Open(BotFlowApp.NewFolder());
        SqliteRawStatements.Keep(connection);
        Assert.True(SqliteRawStatements.TryExecute(connection, Insert, Row("a"), out _));

        var error = Assert.Throws<SqliteException>(() => SqliteRawStatements.TryExecute(connection, Insert, Row("a"), out _));

        Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.True(SqliteRawStatements.TryExecute(connection, Insert, Row("b"), out _));
    }

    private static SqliteConnection OpenMessages(string folder)
    {
        var connection = Open(folder);
        using var create = connection.CreateCommand();
        create.CommandText = "create table m (id integer primary key autoincrement, text text not null)";
        create.ExecuteNonQuery();
        return connection;
    }

    private const string InsertThree = "insert into m (text) values (@a), (@b), (@c) returning id";

    private static List<(long Id, string Text)> Messages(SqliteConnection connection)
    {
        using var select = connection.CreateCommand();
        select.CommandText = "select id, text from m order by id";
        using var reader = select.ExecuteReader();
        var rows = new List<(long, string)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return rows;
    }

    [Fact]
    public async Task An_insert_hands_back_the_ids_its_rows_were_stored_under_in_the_order_given_as_returning_does()
    {
        using var connection = OpenMessages(BotFlowApp.NewFolder());
        var viaReturning = new List<long>();
        await BotFlowDatabase.InsertReturningIdsAsync(connection, InsertThree, null, viaReturning, CancellationToken.None, ("@a", "x"), ("@b", "y"), ("@c", "z"));
        SqliteRawStatements.Keep(connection);
        var viaConnection = new List<long>();

        Assert.True(SqliteRawStatements.TryInsert(connection, InsertThree, [("@a", "p"), ("@b", "q"), ("@c", "r")], viaConnection));

        Assert.Equal([1L, 2L, 3L], viaReturning.Order());
        Assert.Equal([4L, 5L, 6L], viaConnection);
        Assert.Equal([(4L, "p"), (5L, "q"), (6L, "r")], Messages(connection).Skip(3));
    }

    [Fact]
    public void Ids_read_from_the_connection_never_reuse_those_of_deleted_rows()
    {
        using var connection = OpenMessages(BotFlowApp.NewFolder());
        SqliteRawStatements.Keep(connection);
        var ids = new List<long>();
        Assert.True(SqliteRawStatements.TryInsert(connection, InsertThree, [("@a", "a"), ("@b", "b"), ("@c", "c")], ids));
        Assert.True(SqliteRawStatements.TryExecute(connection, "delete from m where id > 1", [], out _));
        ids.Clear();

        Assert.True(SqliteRawStatements.TryInsert(connection, InsertThree, [("@a", "d"), ("@b", "e"), ("@c", "f")], ids));

        // AUTOINCREMENT: after the rows 2 and 3 were deleted the next rows still start at 4, as the stored rows say.
        Assert.Equal([4L, 5L, 6L], ids);
        Assert.Equal([(1L, "a"), (4L, "d"), (5L, "e"), (6L, "f")], Messages(connection));
    }

    [Fact]
    public void An_insert_with_a_failing_row_stores_none_and_hands_back_no_id()
    {
        using var connection = OpenMessages(BotFlowApp.NewFolder());
        SqliteRawStatements.Keep(connection);
        var ids = new List<long>();

        Assert.Throws<SqliteException>(() => SqliteRawStatements.TryInsert(connection, InsertThree, [("@a", "a"), ("@b", TypedNull.Text), ("@c", "c")], ids));

        Assert.Empty(ids);
        Assert.Empty(Messages(connection));
        Assert.True(SqliteRawStatements.TryInsert(connection, InsertThree, [("@a", "a"), ("@b", "b"), ("@c", "c")], ids));
        Assert.Equal([1L, 2L, 3L], ids);
    }

    [Fact]
    public void An_insert_without_a_returning_clause_is_refused_before_it_runs()
    {
        using var connection = OpenMessages(BotFlowApp.NewFolder());
        SqliteRawStatements.Keep(connection);

        var error = Assert.Throws<ArgumentException>(() => SqliteRawStatements.TryInsert(connection, "insert into m (text) values (@a)", [("@a", "a")], []));

        Assert.Contains("returning id", error.Message, StringComparison.Ordinal);
        Assert.Empty(Messages(connection));
    }

    [Fact]
    public void A_value_it_does_not_bind_and_a_connection_not_kept_go_the_ado_net_way()
    {
        using var connection = Open(BotFlowApp.NewFolder());

        Assert.False(SqliteRawStatements.TryExecute(connection, Insert, Row("not-kept"), out _));
        SqliteRawStatements.Keep(connection);
        Assert.False(SqliteRawStatements.TryExecute(connection, Insert, [("@id", "x"), ("@s", 1.5m), ("@i", 1), ("@b", 1), ("@d", 1.0), ("@n", null)], out _));
    }

    [Fact]
    public void Closing_the_connection_finalises_its_statements_and_releases_the_file()
    {
        var folder = BotFlowApp.NewFolder();
        var connection = Open(folder);
        SqliteRawStatements.Keep(connection);
        Assert.True(SqliteRawStatements.TryExecute(connection, Insert, Row("a"), out _));

        connection.Dispose();

        // An unfinalised statement keeps SQLite's handle (and its file) open after close.
        var file = Path.Combine(folder, "raw.db");
        var open = Directory.GetFiles("/proc/self/fd").Select(fd => new FileInfo(fd).LinkTarget).Where(target => target == file).ToList();
        Assert.Empty(open);
    }

    private const string Select = "select id, s, i, b, d, n from t where id = @id";

    private static string Read(IStoredRow row) =>
        $"{row.GetString(0)}|{row.NullableString(1)}|{row.GetInt32(2)}|{row.GetBoolean(3)}|{row.GetString(4)}|{row.NullableString(5) ?? "null"}|{row.IsNull(5)}";

    [Fact]
    public async Task A_query_reads_the_same_values_as_ado_net_and_answers_no_row_with_the_default()
    {
        using var connection = Open(BotFlowApp.NewFolder());
        SqliteRawStatements.Keep(connection);
        Assert.True(SqliteRawStatements.TryExecute(connection, Insert, Row("r"), out _));
        await using (var reader = await BotFlowDatabase.Command(connection, Select, null, ("@id", "r")).ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            var viaAdo = Read(new ReaderRow(reader));

            Assert.True(SqliteRawStatements.TryQueryFirst(connection, Select, [("@id", "r")], static row => Read(row), out var viaRaw));

            Assert.Equal(viaAdo, viaRaw);
            Assert.Equal("r|João Conceição ✓|42|True|123.45|null|True", viaRaw);
        }

        Assert.True(SqliteRawStatements.TryQueryFirst(connection, Select, [("@id", "missing")], static row => Read(row), out var none));
        Assert.Null(none);
    }

    [Fact]
    public void A_query_on_a_connection_not_kept_goes_the_ado_net_way_and_a_finished_query_holds_no_read_lock()
    {
        var folder = BotFlowApp.NewFolder();
        using var connection = Open(folder);
        Assert.False(SqliteRawStatements.TryQueryFirst(connection, Select, [("@id", "r")], static _ => 1, out _));
        SqliteRawStatements.Keep(connection);
        Assert.True(SqliteRawStatements.TryExecute(connection, Insert, Row("r"), out _));
        Assert.True(SqliteRawStatements.TryQueryFirst(connection, Select, [("@id", "r")], static _ => 1, out _));

        // Another connection can take the write lock at once: the statement was reset, not left mid-read.
        using var other = new SqliteConnection($"Data Source={Path.Combine(folder, "raw.db")};Pooling=false;Default Timeout=1");
        other.Open();
        using var exclusive = other.CreateCommand();
        exclusive.CommandText = "begin exclusive; commit;";
        exclusive.ExecuteNonQuery();
    }
}
