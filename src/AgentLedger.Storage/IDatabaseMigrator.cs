namespace AgentLedger.Storage;

/// <summary>One schema in the ledger's database (the ledger's own, the commons data) with its EF migrations.</summary>
public interface IDatabaseMigrator
{
    Task MigrateAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken);
}
