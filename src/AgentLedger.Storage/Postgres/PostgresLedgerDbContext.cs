using System.Globalization;
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

    // The two-key form keeps trace locks apart from the one-key agent locks above.
    public override async Task LockTraceAsync(string traceId, CancellationToken cancellationToken) =>
        await Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(7, hashtext({traceId}))", cancellationToken);

    /// <summary>The archive is partitioned by month; a month's partition is created on first use.</summary>
    public override async Task PrepareArchiveAsync(IEnumerable<DateTimeOffset> startedAt, CancellationToken cancellationToken)
    {
        foreach (var month in startedAt.Select(t => new DateTimeOffset(t.Year, t.Month, 1, 0, 0, 0, TimeSpan.Zero)).Distinct())
        {
            var next = month.AddMonths(1);
            // DDL takes no parameters; the statement is built from formatted dates only.
            var sql = string.Create(CultureInfo.InvariantCulture,
                $"CREATE TABLE IF NOT EXISTS agent_executions_archive_{month:yyyy_MM} PARTITION OF agent_executions_archive FOR VALUES FROM ('{month:yyyy-MM-dd}T00:00:00Z') TO ('{next:yyyy-MM-dd}T00:00:00Z')");
#pragma warning disable EF1002, EF1003
            await Database.ExecuteSqlRawAsync(sql, cancellationToken);
#pragma warning restore EF1002, EF1003
        }
    }

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
