using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AgentLedger.Storage.Sqlite;

public sealed class SqliteLedgerDbContext(DbContextOptions<SqliteLedgerDbContext> options) : LedgerDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        SqliteSetup.ApplyConventions(configurationBuilder);

    /// <summary>Integer microseconds since the epoch, as the model's converter writes them.</summary>
    public override object? DbTime(DateTimeOffset? value) => value is { } time ? SqliteSetup.ToUnixMicroseconds(time) : null;

    protected override string IdRangeSql => "SELECT * FROM agent_executions INDEXED BY ix_agent_executions_id WHERE id BETWEEN {0} AND {1}";

    /// <summary>Upper-case text, as EF Core's SQLite provider writes a Guid.</summary>
    public override object DbId(Guid value) => value.ToString().ToUpperInvariant();
}

/// <summary>Used by <c>dotnet ef migrations add … --context SqliteLedgerDbContext</c>.</summary>
public sealed class SqliteLedgerDbContextDesignFactory : IDesignTimeDbContextFactory<SqliteLedgerDbContext>
{
    public SqliteLedgerDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteLedgerDbContext>()
            .UseSqlite("Data Source=design-time.db")
            .UseSnakeCaseNamingConvention()
            .Options);
}
