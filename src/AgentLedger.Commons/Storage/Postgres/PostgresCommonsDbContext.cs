using AgentLedger.Commons.Storage.Sqlite;
using AgentLedger.Storage;
using AgentLedger.Storage.Postgres;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AgentLedger.Commons.Storage.Postgres;

public sealed class PostgresCommonsDbContext(DbContextOptions<PostgresCommonsDbContext> options) : CommonsDbContext(options);

/// <summary>Used by <c>dotnet ef migrations add … --context PostgresCommonsDbContext</c>.</summary>
public sealed class PostgresCommonsDbContextDesignFactory : IDesignTimeDbContextFactory<PostgresCommonsDbContext>
{
    public PostgresCommonsDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<PostgresCommonsDbContext>();
        builder.UseLedgerPostgres(new StorageOptions { Provider = "postgres", ConnectionString = "Host=localhost;Database=agentledger_design" }, SqliteCommonsDbContext.MigrationsHistoryTable);
        return new PostgresCommonsDbContext(builder.Options);
    }
}
