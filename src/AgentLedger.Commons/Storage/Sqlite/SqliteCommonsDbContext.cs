using AgentLedger.Storage;
using AgentLedger.Storage.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AgentLedger.Commons.Storage.Sqlite;

public sealed class SqliteCommonsDbContext(DbContextOptions<SqliteCommonsDbContext> options) : CommonsDbContext(options)
{
    /// <summary>The commons shares the ledger's database file; its own history table keeps the two migration sets apart.</summary>
    public const string MigrationsHistoryTable = "__commons_migrations";

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        SqliteSetup.ApplyConventions(configurationBuilder);
}

/// <summary>Used by <c>dotnet ef migrations add … --context SqliteCommonsDbContext</c>.</summary>
public sealed class SqliteCommonsDbContextDesignFactory : IDesignTimeDbContextFactory<SqliteCommonsDbContext>
{
    public SqliteCommonsDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<SqliteCommonsDbContext>();
        builder.UseLedgerSqlite(new StorageOptions { ConnectionString = "Data Source=design-time.db" }, SqliteCommonsDbContext.MigrationsHistoryTable);
        return new SqliteCommonsDbContext(builder.Options);
    }
}
