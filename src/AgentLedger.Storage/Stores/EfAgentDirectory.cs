using AgentLedger.Core.Agents;
using AgentLedger.Core.Common;
using AgentLedger.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage.Stores;

internal sealed class EfAgentDirectory(ILedgerDbContextFactory contexts) : IAgentDirectory
{
    public async Task<IReadOnlyList<AgentInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var rows = await db.Agents.AsNoTracking().OrderBy(a => a.Name).ToListAsync(cancellationToken);
        return rows.Select(ToModel).ToList();
    }

    public async Task<AgentInfo?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var row = await db.Agents.AsNoTracking().SingleOrDefaultAsync(a => a.Name == name, cancellationToken);
        return row is null ? null : ToModel(row);
    }

    public async Task RegisterBuiltInAsync(IEnumerable<IAgent> agents, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var builtIn = agents.ToDictionary(a => a.Name);
        var kind = AgentKind.BuiltIn.ToWire();
        await using var db = contexts.Create();
        // Several nodes may start at once: on SQLite the (immediate) transaction serialises them.
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var agent in builtIn.Values)
        {
            await db.EnsureAgentAsync(
                new AgentEntity { Name = agent.Name, DisplayName = agent.DisplayName, Description = agent.Description, Kind = kind, FirstSeenAt = LedgerTime.Normalize(now) },
                cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);

        // Refresh what the code says about agents that were registered before (or reported externally).
        var names = builtIn.Keys.ToArray();
        foreach (var row in await db.Agents.Where(a => names.Contains(a.Name)).ToListAsync(cancellationToken))
        {
            var agent = builtIn[row.Name];
            (row.DisplayName, row.Description, row.Kind) = (agent.DisplayName, agent.Description, kind);
        }
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    private static AgentInfo ToModel(AgentEntity row) =>
        new(row.Name, row.DisplayName, row.Description, row.Kind == AgentKind.BuiltIn.ToWire() ? AgentKind.BuiltIn : AgentKind.External, row.FirstSeenAt);
}
