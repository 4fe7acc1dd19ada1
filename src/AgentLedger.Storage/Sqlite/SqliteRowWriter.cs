using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AgentLedger.Storage.Sqlite;

/// <summary>
/// Statements over many rows on the connection's native handle, inside its open transaction (if any): one INSERT
/// for many rows, prepared once, values bound by position; and lookups of many keys in one statement. Microsoft.Data.Sqlite binds by name (a lookup of every parameter,
/// every row) and builds a reader per execution, which cost about three times SQLite's own work for a
/// 26-column row (an OTLP batch: 512 rows). Text is bound as UTF-16, which SQLite converts itself: binding it as
/// UTF-8 made a managed copy of every string of every row.
/// </summary>
internal static class SqliteRowWriter
{
    public static void InsertAll(SqliteConnection connection, string sql, IEnumerable<object?[]> rows)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        using (statement)
        {
            foreach (var values in rows)
            {
                for (var i = 0; i < values.Length; i++)
                {
                    Check(db, values[i] switch
                    {
                        null => raw.sqlite3_bind_null(statement, i + 1),
                        string text => raw.sqlite3_bind_text16(statement, i + 1, text),
                        byte[] blob => raw.sqlite3_bind_blob(statement, i + 1, blob),
                        long number => raw.sqlite3_bind_int64(statement, i + 1, number),
                        int number => raw.sqlite3_bind_int64(statement, i + 1, number),
                        bool flag => raw.sqlite3_bind_int64(statement, i + 1, flag ? 1 : 0),
                        var other => throw new InvalidOperationException($"No SQLite binding for a {other.GetType().Name} value."),
                    });
                }
                var step = raw.sqlite3_step(statement);
                raw.sqlite3_reset(statement);
                if (step != raw.SQLITE_DONE)
                {
                    Check(db, step);
                }
            }
        }
    }

    /// <summary>
    /// Runs a query whose one parameter is a JSON array of keys (read with <c>json_each</c>) and hands every row to
    /// <paramref name="read"/>: the lookups of an OTLP batch's 512 traces or ids in one statement, seeks and all in
    /// SQLite, instead of a parameter per key (or a statement per key) bound from .NET.
    /// </summary>
    public static void ForEachRow(SqliteConnection connection, string sql, IReadOnlyCollection<string> keys, Action<sqlite3_stmt> read)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        using (statement)
        {
            Check(db, raw.sqlite3_bind_text16(statement, 1, System.Text.Json.JsonSerializer.Serialize(keys)));
            int step;
            while ((step = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                read(statement);
            }
            if (step != raw.SQLITE_DONE)
            {
                Check(db, step);
            }
        }
    }

    /// <summary>An error as Microsoft.Data.Sqlite reports it, so callers tell a unique violation by its code as anywhere else.</summary>
    private static void Check(sqlite3 db, int result)
    {
        if (result is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), result, raw.sqlite3_extended_errcode(db));
        }
    }
}
