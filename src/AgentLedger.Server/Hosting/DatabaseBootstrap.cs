using AgentLedger.Commons.Demo;
using AgentLedger.Core.Agents;
using AgentLedger.Storage;
using Microsoft.Extensions.Options;

namespace AgentLedger.Server.Hosting;

/// <summary>
/// What a node does to the database before it serves: migrations (or, when they are a deploy
/// step, the check that none is pending), the built-in agents' rows and the demo seed. All of it
/// under the schema lock, so any number of nodes can start at the same instant.
/// </summary>
public sealed partial class DatabaseBootstrap(
    DatabaseSchema schema,
    StorageOptions storage,
    IAgentDirectory directory,
    AgentCatalog catalog,
    DemoSeeder seeder,
    IOptions<LedgerOptions> options,
    TimeProvider time,
    ILogger<DatabaseBootstrap> logger)
{
    private readonly Lock _gate = new();
    private Task? _prepared;

    /// <summary>Once per process: the entry point prepares before the host starts, the host's lifecycle again for hosts composed otherwise.</summary>
    public Task PrepareAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _prepared ??= PrepareOnceAsync(cancellationToken);
        }
    }

    private async Task PrepareOnceAsync(CancellationToken cancellationToken)
    {
        await using (await schema.LockAsync(cancellationToken))
        {
            if (storage.MigrateOnStart)
            {
                await schema.MigrateAsync(cancellationToken);
            }
            else if (await schema.PendingMigrationsAsync(cancellationToken) is { Count: > 0 } pending)
            {
                var exception = new SchemaBehindException(pending);
                LogSchemaBehind(logger, exception.Message);
                throw exception;
            }
            await directory.RegisterBuiltInAsync(catalog.All, time.GetUtcNow(), cancellationToken);
            if (options.Value.Demo)
            {
                await seeder.SeedAsync(cancellationToken);
            }
        }
    }

    /// <summary>The <c>migrate</c> verb: every pending migration, under the same lock as starting nodes take.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using (await schema.LockAsync(cancellationToken))
        {
            await schema.MigrateAsync(cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Reason}")]
    private static partial void LogSchemaBehind(ILogger logger, string reason);
}

/// <summary>The node may not change the schema and the schema is behind: it must not serve.</summary>
public sealed class SchemaBehindException(IReadOnlyList<string> pending) : Exception(
    $"The database schema is behind: {pending.Count} migrations are not applied ({string.Join(", ", pending)}) and "
    + "AgentLedger:Database:MigrateOnStart is false, so this node does not change it. "
    + "Run the 'migrate' verb (dotnet AgentLedger.Server.dll migrate) with the same configuration, then start the node again.")
{
    /// <summary>What the process exits with, so a supervisor can tell it from a crash.</summary>
    public const int ExitCode = 3;

    public IReadOnlyList<string> Pending { get; } = pending;
}
