using AgentLedger.Commons.Demo;
using AgentLedger.Commons.Model;
using AgentLedger.Commons.Storage;
using AgentLedger.Commons.Storage.Postgres;
using AgentLedger.Commons.Storage.Sqlite;
using AgentLedger.Commons.Storage.Stores;
using AgentLedger.Storage;
using AgentLedger.Storage.Postgres;
using AgentLedger.Storage.Sqlite;
namespace Microsoft.Extensions.DependencyInjection;

// In the DI namespace, as ASP.NET Core's own Add… extensions are, so the host needs no extra using.
public static class CommonsServiceCollectionExtensions
{
    /// <summary>The commons data in the ledger's database: context, reader for the agents, stores for the API, demo seeder.</summary>
    public static IServiceCollection AddCommons(this IServiceCollection services, StorageOptions storage)
    {
        switch (storage.Provider.ToLowerInvariant())
        {
            case "sqlite":
                services.AddPooledDbContextFactory<SqliteCommonsDbContext>(o => o.UseLedgerSqlite(storage, SqliteCommonsDbContext.MigrationsHistoryTable));
                services.AddSingleton<ICommonsDbContextFactory, CommonsDbContextFactory<SqliteCommonsDbContext>>();
                break;
            case "postgres" or "postgresql":
                services.AddPooledDbContextFactory<PostgresCommonsDbContext>(o => o.UseLedgerPostgres(storage, SqliteCommonsDbContext.MigrationsHistoryTable));
                services.AddSingleton<ICommonsDbContextFactory, CommonsDbContextFactory<PostgresCommonsDbContext>>();
                break;
            default:
                throw new InvalidOperationException($"AgentLedger:Database:Provider '{storage.Provider}' is not supported by the commons; use 'sqlite' or 'postgres'.");
        }
        services.AddSingleton<ICommonsReader, EfCommonsReader>();
        services.AddSingleton<CommunityStore>();
        services.AddSingleton<ListingStore>();
        services.AddSingleton<InventoryStore>();
        services.AddSingleton<PlanStore>();
        services.AddSingleton<CommonsDatabase>();
        services.AddSingleton<IDatabaseMigrator>(sp => sp.GetRequiredService<CommonsDatabase>());
        services.AddSingleton<DemoSeeder>();
        return services;
    }
}
