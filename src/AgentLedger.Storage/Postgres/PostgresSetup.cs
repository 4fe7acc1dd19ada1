using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage.Postgres;

/// <summary>How every AgentLedger context talks to PostgreSQL.</summary>
public static class PostgresSetup
{
    public static DbContextOptionsBuilder UseLedgerPostgres(this DbContextOptionsBuilder builder, StorageOptions options, string? migrationsHistoryTable = null) =>
        builder
            .UseNpgsql(options.ConnectionString, npgsql =>
            {
                if (migrationsHistoryTable is not null)
                {
                    npgsql.MigrationsHistoryTable(migrationsHistoryTable);
                }
            })
            .UseSnakeCaseNamingConvention();
}
