using AgentLedger.Storage;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Commons.Storage;

/// <summary>Schema of the commons tables.</summary>
public sealed class CommonsDatabase(ICommonsDbContextFactory contexts) : AgentLedger.Storage.IDatabaseMigrator
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
}
