using AgentLedger.Storage.Writes;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;
using AgentLedger.Core.Settings;
using AgentLedger.Core.Stats;
using AgentLedger.Storage.Postgres;
using AgentLedger.Storage.Sqlite;
using AgentLedger.Storage.Stores;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentLedger.Storage;

public static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddLedgerStorage(this IServiceCollection services, StorageOptions options)
    {
        if (options.WritesPerCommit < 1 || options.WriteQueueLimit < 1)
        {
            throw new InvalidOperationException(
                $"AgentLedger:Database:WritesPerCommit ({options.WritesPerCommit}) and AgentLedger:Database:WriteQueueLimit ({options.WriteQueueLimit}) must be at least 1.");
        }
        switch (options.Provider.ToLowerInvariant())
        {
            case "sqlite":
                AddSqlite(services, options);
                break;
            case "postgres" or "postgresql":
                services.AddPooledDbContextFactory<PostgresLedgerDbContext>(o => o.UseLedgerPostgres(options));
                services.AddSingleton<ILedgerDbContextFactory, LedgerDbContextFactory<PostgresLedgerDbContext>>();
                services.AddSingleton(new WriteGate(serialize: false));
                services.AddSingleton<ISchemaLock, PostgresSchemaLock>();
                break;
            default:
                throw new InvalidOperationException($"AgentLedger:Database:Provider '{options.Provider}' is not supported; use 'sqlite' or 'postgres'.");
        }
        services.AddSingleton(options);
        services.AddSingleton<WritePipeline>();
        services.AddSingleton<IExecutionLedger, EfExecutionLedger>();
        services.AddSingleton<IProposalStore, EfProposalStore>();
        services.AddSingleton<ISettingsStore, EfSettingsStore>();
        services.AddSingleton<IAgentDirectory, EfAgentDirectory>();
        services.AddSingleton<OldEdgeCache>();
        services.AddSingleton<WholeBucketCache>();
        services.AddSingleton<IStatsSource, EfStatsSource>();
        services.AddSingleton<Core.Insights.IInsightsSource, EfInsightsSource>();
        services.AddSingleton<Core.Alerts.IAlertStore, EfAlertStore>();
        services.AddSingleton<Core.Access.IKeyStore, EfKeyStore>();
        services.AddSingleton<Core.Access.IAuditLog, EfAuditLog>();
        services.AddSingleton<LedgerDatabase>();
        // First of the migrators: the other schemas (commons) are registered after it and migrate after it.
        services.AddSingleton<IDatabaseMigrator>(sp => sp.GetRequiredService<LedgerDatabase>());
        services.AddSingleton<DatabaseSchema>();
        services.AddSingleton<Retention.LedgerArchiver>();
        services.AddSingleton<Rollups.RollupVerifier>();
        return services;
    }

    private static void AddSqlite(IServiceCollection services, StorageOptions options)
    {
        services.AddSingleton(new WalCheckpointer(options.ConnectionString));
        services.AddPooledDbContextFactory<SqliteLedgerDbContext>((sp, o) => o.UseLedgerSqlite(options)
            .AddInterceptors(new WalCheckpointer.AfterCommit(sp.GetRequiredService<WalCheckpointer>())));
        services.AddSingleton<ILedgerDbContextFactory, LedgerDbContextFactory<SqliteLedgerDbContext>>();
        services.AddSingleton(new WriteGate(serialize: true));
        services.AddSingleton<ISchemaLock, SqliteSchemaLock>();
    }

    /// <summary>The folder that holds the database file: generated keys and archives live beside it.</summary>
    public static string DataFolder(StorageOptions options)
    {
        if (options.Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            var path = new SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
            if (path is { Length: > 0 } && path != ":memory:")
            {
                return Path.GetDirectoryName(Path.GetFullPath(path)) ?? "data";
            }
        }
        return Path.GetFullPath("data");
    }
}
