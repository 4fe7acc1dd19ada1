using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AgentLedger.Storage.Sqlite;

/// <summary>
/// Per-connection SQLite settings. WAL lets readers (stats) run beside the single writer; the
/// synchronous level decides what survives a power cut (FULL: every acknowledged commit). The server
/// checkpoints in the background (<see cref="WalCheckpointer"/>); SQLite's own checkpoint, inside a
/// commit, comes only at 50 000 pages (200 MB): a group of OTLP batches dirties some 4 000 pages, and at
/// the default of 1 000 (or even 10 000) the writer paid for a checkpoint and its fsync of the database
/// file on nearly every commit. No memory map: with one, each commit took
/// 29 ms instead of 6. A page cache of 16 MB instead of SQLite's 2 MB: a group of OTLP batches dirties thousands of
/// id-index pages, which with the default spilled to the WAL before the commit and were read again from the OS
/// for every insert (7.7 instead of 13 ms per 512 rows measured); a connection holds that memory only as it uses pages.
/// </summary>
internal sealed class SqlitePragmas(string synchronous) : DbConnectionInterceptor
{
    /// <summary>
    /// The settings live on the native handle, which Microsoft.Data.Sqlite's pool keeps across
    /// opens: they are applied once per handle, not on every open (EF opens a connection per
    /// query, and four PRAGMAs per open cost more than most of the queries they preceded).
    /// </summary>
    private static readonly ConditionalWeakTable<object, string> Applied = [];

    private readonly string _sql = $"PRAGMA journal_mode=WAL; PRAGMA synchronous={synchronous}; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA wal_autocheckpoint=50000; PRAGMA cache_size=-16384;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (Pending(connection) is { } handle)
        {
            using var command = connection.CreateCommand();
            command.CommandText = _sql;
            command.ExecuteNonQuery();
            Applied.AddOrUpdate(handle, _sql);
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (Pending(connection) is { } handle)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = _sql;
            await command.ExecuteNonQueryAsync(cancellationToken);
            Applied.AddOrUpdate(handle, _sql);
        }
    }

    /// <summary>The native handle when it has not had these settings yet; a non-pooled or unknown connection always gets them.</summary>
    private object? Pending(DbConnection connection)
    {
        object handle = (connection as SqliteConnection)?.Handle is { } native ? native : connection;
        return Applied.TryGetValue(handle, out var sql) && sql == _sql ? null : handle;
    }
}
