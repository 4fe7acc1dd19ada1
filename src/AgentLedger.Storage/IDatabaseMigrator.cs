namespace AgentLedger.Storage;

/// <summary>A schema besides the ledger's that lives in the same database (e.g. the commons data) and migrates with it.</summary>
public interface IDatabaseMigrator
{
    Task MigrateAsync(CancellationToken cancellationToken);
}
