namespace AgentLedger.Storage;

/// <summary>Every schema in the ledger's database, migrated in registration order (the ledger's first), and the lock that guards changing them.</summary>
public sealed class DatabaseSchema(IEnumerable<IDatabaseMigrator> migrators, ISchemaLock schemaLock)
{
    /// <summary>Hold this around any change to the schema or to first-start data.</summary>
    public Task<IAsyncDisposable> LockAsync(CancellationToken cancellationToken) => schemaLock.AcquireAsync(cancellationToken);

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        foreach (var migrator in migrators)
        {
            await migrator.MigrateAsync(cancellationToken);
        }
    }

    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken)
    {
        var pending = new List<string>();
        foreach (var migrator in migrators)
        {
            pending.AddRange(await migrator.PendingMigrationsAsync(cancellationToken));
        }
        return pending;
    }
}
