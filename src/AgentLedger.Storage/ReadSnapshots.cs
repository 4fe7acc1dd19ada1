using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace AgentLedger.Storage;

/// <summary>
/// A transaction that sees the database at one moment without holding writers up, for reads of
/// several statements whose answers must agree (the newest failure and the count of failures).
/// </summary>
public static class ReadSnapshots
{
    public static async Task<DbTransaction> BeginSnapshotAsync(this DatabaseFacade database, CancellationToken cancellationToken)
    {
        if (database.GetDbConnection() is SqliteConnection sqlite)
        {
            await database.OpenConnectionAsync(cancellationToken);
            // EF's BeginTransaction is BEGIN IMMEDIATE, which takes the write lock; a deferred one
            // only reads, and in WAL mode keeps the snapshot of its first read until it ends.
            var transaction = sqlite.BeginTransaction(deferred: true);
            await database.UseTransactionAsync(transaction, cancellationToken);
            return transaction;
        }
        // REPEATABLE READ: one snapshot for the whole read; PostgreSQL's readers never block writers.
        return (await database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken)).GetDbTransaction();
    }
}
