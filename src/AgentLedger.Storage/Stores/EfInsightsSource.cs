using AgentLedger.Core.Executions;
using AgentLedger.Core.Insights;
using AgentLedger.Core.Proposals;
using AgentLedger.Storage.Entities;
using AgentLedger.Storage.Retention;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage.Stores;

internal sealed class EfInsightsSource(ILedgerDbContextFactory contexts) : IInsightsSource
{
    private static readonly string Running = ExecutionStatus.Running.ToWire();
    private static readonly string[] FailureStatuses =
        [ExecutionStatus.Failed.ToWire(), ExecutionStatus.Timeout.ToWire(), ExecutionStatus.Abandoned.ToWire()];
    private static readonly string[] Resolved =
        [ProposalStatus.Approved.ToWire(), ProposalStatus.Rejected.ToWire(), ProposalStatus.Expired.ToWire()];

    public async Task<IReadOnlyList<FailureRow>> FailuresAsync(string agent, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var rows = new List<FailureRow>();
        // One range per status on (agent_name, status, started_at).
        foreach (var status in FailureStatuses)
        {
            rows.AddRange(await ReadAsync(db.Executions, status));
            if (from < await ArchiveWatermark.ReadAsync(db, cancellationToken))
            {
                rows.AddRange(await ReadAsync(db.ArchivedExecutions, status));
            }
        }
        return rows;

        async Task<List<FailureRow>> ReadAsync<T>(IQueryable<T> table, string status) where T : ExecutionRow
        {
            var found = await table.AsNoTracking()
                .Where(e => e.AgentName == agent && e.Status == status && e.StartedAt >= from && e.StartedAt < to)
                .Select(e => new { e.Status, e.ErrorType, e.ErrorMessage, e.StartedAt, e.CompletedAt })
                .ToListAsync(cancellationToken);
            return found.Select(f =>
            {
                ExecutionStatuses.TryParse(f.Status, out var parsed);
                return new FailureRow(parsed, f.ErrorType, f.ErrorMessage, f.StartedAt, f.CompletedAt);
            }).ToList();
        }
    }

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> OldestRunningAsync(IReadOnlyCollection<string> agents, CancellationToken cancellationToken)
    {
        var names = agents.ToArray();
        await using var db = contexts.Create();
        var rows = await db.Executions.AsNoTracking()
            .Where(e => names.Contains(e.AgentName) && e.Status == Running)
            .GroupBy(e => e.AgentName)
            .Select(g => new { Agent = g.Key, Oldest = g.Min(e => e.StartedAt) })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Agent, r => r.Oldest);
    }

    public async Task<IReadOnlyList<RunningRow>> RunningAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        // Naming the agents turns the status filter into one index seek per agent instead of a table scan.
        var agents = db.Agents.Select(a => a.Name);
        var rows = await db.Executions.AsNoTracking()
            .Where(e => agents.Contains(e.AgentName) && e.Status == Running)
            .Select(e => new { e.Id, e.AgentName, e.StartedAt, e.HeartbeatSeconds, e.HeartbeatAt })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new RunningRow(r.Id, r.AgentName, r.StartedAt, r.HeartbeatSeconds, r.HeartbeatSeconds is null ? null : r.HeartbeatAt)).ToList();
    }

    public async Task<IReadOnlyList<DecisionRow>> DecisionsAsync(string agent, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var rows = await db.Proposals.AsNoTracking()
            .Where(p => p.AgentName == agent && p.CreatedAt >= from && p.CreatedAt < to && Resolved.Contains(p.Status))
            .Select(p => new { p.Status, p.CreatedAt, p.DecidedAt })
            .ToListAsync(cancellationToken);
        return rows.Select(r =>
        {
            ProposalStatuses.TryParse(r.Status, out var status);
            return new DecisionRow(status, r.CreatedAt, r.DecidedAt);
        }).ToList();
    }
}
