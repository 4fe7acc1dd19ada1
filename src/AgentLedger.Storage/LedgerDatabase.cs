using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage;

/// <summary>Schema and reachability of the ledger's database.</summary>
public sealed class LedgerDatabase(ILedgerDbContextFactory contexts) : IDatabaseMigrator
{
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        await db.MigrateAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        return await db.PendingMigrationsAsync(cancellationToken);
    }

    public async Task<bool> CanConnectAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        return await db.Database.CanConnectAsync(cancellationToken);
    }
}
