namespace AgentLedger.Storage;

/// <summary>
/// Held by one process at a time, across every node on the database, while it changes the schema
/// or writes first-start data (migrations, built-in agents, demo seed). Nodes that start at the
/// same instant take turns; the second finds the work done.
/// </summary>
public interface ISchemaLock
{
    /// <summary>Waits for the lock; disposing the result releases it. A holder that dies releases it too.</summary>
    Task<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken);
}
