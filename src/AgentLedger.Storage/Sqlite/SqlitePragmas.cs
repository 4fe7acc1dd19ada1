using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AgentLedger.Storage.Sqlite;

/// <summary>
/// Per-connection SQLite settings. WAL lets readers (stats) run beside the single writer; the
/// synchronous level decides what survives a power cut (FULL: every acknowledged commit). The WAL is
/// checkpointed every 10 000 pages instead of 1 000: an OTLP batch of 512 runs dirties about 1 000
/// pages, which otherwise paid for a checkpoint (and its fsync of the database file) on nearly every
/// commit (34 → 26 ms per batch measured); the server also checkpoints in the background after commits
/// (<see cref="WalCheckpointer"/>), so this is the bound, not the rhythm. No memory map: with one, each commit took
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

    private readonly string _sql = $"PRAGMA journal_mode=WAL; PRAGMA synchronous={synchronous}; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA wal_autocheckpoint=10000; PRAGMA cache_size=-16384;";

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
