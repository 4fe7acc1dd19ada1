using AgentLedger.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AgentLedger.Storage.Postgres;

/// <summary>The ledger on PostgreSQL, for several nodes sharing one database.</summary>
public sealed class PostgresLedgerDbContext(DbContextOptions<PostgresLedgerDbContext> options) : LedgerDbContext(options)
{
    /// <summary>
    /// Serialises writers of one agent's rollups across nodes for the rest of the transaction, so
    /// two nodes finishing runs of the same agent cannot lose each other's rollup increments.
    /// </summary>
    public override async Task LockAgentAsync(string agentName, CancellationToken cancellationToken) =>
        await Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext({agentName}))", cancellationToken);

    /// <summary>Two nodes may see a new agent's first report at once: the second insert is a no-op.</summary>
    public override async Task EnsureAgentAsync(AgentEntity agent, CancellationToken cancellationToken) =>
        await Database.ExecuteSqlAsync(
            $"INSERT INTO agents (name, display_name, description, kind, first_seen_at) VALUES ({agent.Name}, {agent.DisplayName}, {agent.Description}, {agent.Kind}, {agent.FirstSeenAt}) ON CONFLICT (name) DO NOTHING",
            cancellationToken);
}

/// <summary>Used by <c>dotnet ef migrations add … --context PostgresLedgerDbContext</c>.</summary>
public sealed class PostgresLedgerDbContextDesignFactory : IDesignTimeDbContextFactory<PostgresLedgerDbContext>
{
    public PostgresLedgerDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresLedgerDbContext>()
            .UseNpgsql("Host=localhost;Database=agentledger_design")
            .UseSnakeCaseNamingConvention()
            .Options);
}
