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
        await using var db = contexts.Create();
        var existing = await db.Agents.ToDictionaryAsync(a => a.Name, cancellationToken);
        foreach (var agent in agents)
        {
            if (!existing.TryGetValue(agent.Name, out var row))
            {
                row = new AgentEntity { Name = agent.Name, DisplayName = agent.DisplayName, Description = agent.Description, Kind = AgentKind.BuiltIn.ToWire(), FirstSeenAt = LedgerTime.Normalize(now) };
                db.Agents.Add(row);
            }
            row.DisplayName = agent.DisplayName;
            row.Description = agent.Description;
            row.Kind = AgentKind.BuiltIn.ToWire();
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    private static AgentInfo ToModel(AgentEntity row) =>
        new(row.Name, row.DisplayName, row.Description, row.Kind == AgentKind.BuiltIn.ToWire() ? AgentKind.BuiltIn : AgentKind.External, row.FirstSeenAt);
}
