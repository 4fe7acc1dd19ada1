using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;

namespace AgentLedger.Storage;

/// <summary>
/// Migrating and asking for pending migrations without the error EF logs on a new PostgreSQL
/// database: Npgsql learns whether the history table exists by reading it, and logs the failed
/// read as a failed command although nothing is wrong (npgsql/efcore.pg#3407). An operator
/// reading a healthy first start must not see an error.
/// </summary>
public static class MigrationState
{
    public static async Task MigrateAsync(this DbContext db, CancellationToken cancellationToken)
    {
        // The caller holds the schema lock, so creating the history table first cannot race another node.
        await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
    }

    public static async Task<IReadOnlyList<string>> PendingMigrationsAsync(this DbContext db, CancellationToken cancellationToken) =>
        await HistoryExistsAsync(db, cancellationToken)
            ? (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList()
            : db.Database.GetMigrations().ToList();

    private static async Task<bool> HistoryExistsAsync(DbContext db, CancellationToken cancellationToken)
    {
        if (!db.Database.IsNpgsql())
        {
            return await db.GetService<IHistoryRepository>().ExistsAsync(cancellationToken);   // SQLite asks sqlite_master
        }
        var table = RelationalOptionsExtension.Extract(db.GetService<IDbContextOptions>()).MigrationsHistoryTableName ?? HistoryRepository.DefaultTableName;
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT to_regclass(quote_ident(@table)) IS NOT NULL";
            var parameter = command.CreateParameter();
            (parameter.ParameterName, parameter.Value) = ("table", table);
            command.Parameters.Add(parameter);
            return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
