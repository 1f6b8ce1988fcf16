using System.Data.Common;
using SQLitePCL;

namespace BotFlow.Host.Storage;

/// <summary>
/// One row's columns, whether they come from an ADO.NET reader (PostgreSQL, and SQLite off the kept connections) or
/// from a statement stepped on SQLite's native handle (<see cref="SqliteRawStatements"/>), so a record is mapped by one
/// piece of code either way (<see cref="BotFlowDatabase.QueryFirstAsync{T}"/>).
/// </summary>
internal interface IStoredRow
{
    bool IsNull(int ordinal);

    string GetString(int ordinal);

    long GetInt64(int ordinal);
}

internal sealed class ReaderRow(DbDataReader reader) : IStoredRow
{
    public bool IsNull(int ordinal) => reader.IsDBNull(ordinal);

    public string GetString(int ordinal) => reader.GetString(ordinal);

    // PostgreSQL answers int or bigint by column type, SQLite always long.
    public long GetInt64(int ordinal) => BotFlowDatabase.Long(reader, ordinal);
}

internal sealed class RawRow(sqlite3_stmt statement) : IStoredRow
{
    public bool IsNull(int ordinal) => raw.sqlite3_column_type(statement, ordinal) == raw.SQLITE_NULL;

    // The same conversion Microsoft.Data.Sqlite's GetString makes: the column's UTF-8 text.
    public string GetString(int ordinal) => raw.sqlite3_column_text(statement, ordinal).utf8_to_string();

    public long GetInt64(int ordinal) => raw.sqlite3_column_int64(statement, ordinal);
}

internal static class StoredRowExtensions
{
    public static string? NullableString(this IStoredRow row, int ordinal) => row.IsNull(ordinal) ? null : row.GetString(ordinal);

    public static int GetInt32(this IStoredRow row, int ordinal) => checked((int)row.GetInt64(ordinal));

    public static bool GetBoolean(this IStoredRow row, int ordinal) => row.GetInt64(ordinal) != 0;

    public static DateTimeOffset GetTime(this IStoredRow row, int ordinal) => SqlValues.Time(row.GetString(ordinal));
}
