using AgentLedger.Core.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AgentLedger.Storage.Stores;

internal static class DbErrors
{
    /// <summary>
    /// Saves, turning the two ways a concurrent writer can win into a 409 for the caller: the row
    /// changed status under us (concurrency token), or a unique key was taken (a claimed schedule slot).
    /// </summary>
    public static async Task SaveOrConflictAsync(this LedgerDbContext db, string conflict, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException(conflict);
        }
        catch (DbUpdateException ex) when (IsUniqueViolation(ex))
        {
            throw new ConflictException(conflict);
        }
    }

    private static bool IsUniqueViolation(DbUpdateException ex) => ex.InnerException is System.Data.Common.DbException inner && IsUniqueViolation(inner);

    /// <summary>A unique key was taken: SQLite's UNIQUE or PRIMARY KEY constraint, PostgreSQL's 23505.</summary>
    public static bool IsUniqueViolation(System.Data.Common.DbException ex) => ex switch
    {
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };
}
