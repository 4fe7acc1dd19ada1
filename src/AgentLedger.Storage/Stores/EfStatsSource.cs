using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;
using AgentLedger.Core.Stats;
using AgentLedger.Storage.Entities;
using AgentLedger.Storage.Rollups;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage.Stores;

/// <summary>
/// Window totals = whole daily and hourly rollup buckets + the raw rows of the partial edges
/// (see <see cref="WindowPlan"/>), plus runs still in progress, which no rollup holds yet.
/// </summary>
internal sealed class EfStatsSource(ILedgerDbContextFactory contexts) : IStatsSource
{
    private static readonly string Running = ExecutionStatus.Running.ToWire();
    private static readonly string Success = ExecutionStatus.Success.ToWire();
    private static readonly string[] FailureStatuses =
        [ExecutionStatus.Failed.ToWire(), ExecutionStatus.Timeout.ToWire(), ExecutionStatus.Abandoned.ToWire()];

    public async Task<IReadOnlyDictionary<string, LedgerTotals>> TotalsAsync(IReadOnlyCollection<string> agents, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var plan = WindowPlan.Create(from, to);
        var names = agents.ToArray();
        var result = agents.ToDictionary(a => a, _ => new LedgerTotals());
        await using var db = contexts.Create();

        if (plan.Days is { } days)
        {
            await MergeRollupsAsync(db, names, RollupPeriods.Day, days, result, cancellationToken);
        }
        foreach (var hours in plan.Hours)
        {
            await MergeRollupsAsync(db, names, RollupPeriods.Hour, hours, result, cancellationToken);
        }
        foreach (var raw in plan.Raw)
        {
            var rows = await db.Executions.AsNoTracking()
                .Where(e => names.Contains(e.AgentName) && e.StartedAt >= raw.Start && e.StartedAt < raw.End)
                .Select(e => new { e.AgentName, e.Status, e.DurationMs, e.ProposalsCreated, e.ResourcesProcessed, e.Metrics })
                .ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                ExecutionStatuses.TryParse(row.Status, out var status);
                result[row.AgentName].AddExecution(status, row.DurationMs, row.ProposalsCreated, row.ResourcesProcessed, JsonColumns.ReadMetrics(row.Metrics));
            }
            var proposals = await db.Proposals.AsNoTracking()
                .Where(p => names.Contains(p.AgentName) && p.CreatedAt >= raw.Start && p.CreatedAt < raw.End)
                .Select(p => new { p.AgentName, p.Status })
                .ToListAsync(cancellationToken);
            foreach (var proposal in proposals)
            {
                ProposalStatuses.TryParse(proposal.Status, out var status);
                result[proposal.AgentName].AddProposal(status);
            }
        }

        // Runs in progress inside the rollup-covered part (the raw edges counted theirs already).
        var running = await db.Executions.AsNoTracking()
            .Where(e => names.Contains(e.AgentName) && e.Status == Running && e.StartedAt >= from && e.StartedAt < to)
            .Select(e => new { e.AgentName, e.StartedAt })
            .ToListAsync(cancellationToken);
        foreach (var run in running.Where(r => !plan.Raw.Any(raw => r.StartedAt >= raw.Start && r.StartedAt < raw.End)))
        {
            result[run.AgentName].Running++;
        }
        return result;
    }

    public async Task<IReadOnlyDictionary<string, LedgerTotals>> AllTimeAsync(IReadOnlyCollection<string> agents, CancellationToken cancellationToken)
    {
        var names = agents.ToArray();
        var result = agents.ToDictionary(a => a, _ => new LedgerTotals());
        await using var db = contexts.Create();
        var rows = await db.Rollups.AsNoTracking()
            .Where(r => r.Period == RollupPeriods.All && names.Contains(r.AgentName))
            .ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            result[row.AgentName].Merge(RollupMapping.ToTotals(row));
        }
        var running = await db.Executions.AsNoTracking()
            .Where(e => names.Contains(e.AgentName) && e.Status == Running)
            .GroupBy(e => e.AgentName)
            .Select(g => new { Agent = g.Key, Count = g.LongCount() })
            .ToListAsync(cancellationToken);
        foreach (var group in running)
        {
            result[group.Agent].Running = group.Count;
        }
        return result;
    }

    public async Task<IReadOnlyDictionary<string, LatestRuns>> LatestAsync(IReadOnlyCollection<string> agents, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, LatestRuns>();
        await using var db = contexts.Create();
        foreach (var agent in agents)
        {
            var executions = db.Executions.AsNoTracking().Where(e => e.AgentName == agent);
            var last = await executions.OrderByDescending(e => e.StartedAt).ThenByDescending(e => e.Seq).FirstOrDefaultAsync(cancellationToken);
            if (last is null)
            {
                result[agent] = new LatestRuns(null, null, null, 0);
                continue;
            }
            var lastSuccess = await executions.Where(e => e.Status == Success)
                .OrderByDescending(e => e.StartedAt).ThenByDescending(e => e.Seq)
                .Select(e => new { e.StartedAt, e.CompletedAt })
                .FirstOrDefaultAsync(cancellationToken);

            // One seek per failure status: an IN list would make SQLite sort every failure.
            ExecutionEntity? lastFailure = null;
            long consecutive = 0;
            foreach (var status in FailureStatuses)
            {
                var ofStatus = executions.Where(e => e.Status == status);
                var newest = await ofStatus.OrderByDescending(e => e.StartedAt).ThenByDescending(e => e.Seq).FirstOrDefaultAsync(cancellationToken);
                if (newest is not null && (lastFailure is null || newest.StartedAt > lastFailure.StartedAt))
                {
                    lastFailure = newest;
                }
                if (lastSuccess is not null)
                {
                    consecutive += await ofStatus.LongCountAsync(e => e.StartedAt > lastSuccess.StartedAt, cancellationToken);
                }
            }
            if (lastSuccess is null)
            {
                var all = await db.Rollups.AsNoTracking()
                    .SingleOrDefaultAsync(r => r.Period == RollupPeriods.All && r.AgentName == agent, cancellationToken);
                consecutive = all is null ? 0 : all.FailedCount + all.TimeoutCount + all.AbandonedCount;
            }
            result[agent] = new LatestRuns(last.ToModel(), lastSuccess?.CompletedAt, lastFailure?.ToModel(), consecutive);
        }
        return result;
    }

    public async Task<IReadOnlyList<SeriesPoint>> SeriesAsync(string agent, DateTimeOffset from, DateTimeOffset to, BucketPeriod period, CancellationToken cancellationToken)
    {
        var (name, size, floor) = period == BucketPeriod.Hour
            ? (RollupPeriods.Hour, TimeSpan.FromHours(1), (Func<DateTimeOffset, DateTimeOffset>)LedgerTime.FloorHour)
            : (RollupPeriods.Day, TimeSpan.FromDays(1), LedgerTime.FloorDay);
        var first = floor(from);
        await using var db = contexts.Create();
        var rows = await db.Rollups.AsNoTracking()
            .Where(r => r.Period == name && r.AgentName == agent && r.BucketStart >= first && r.BucketStart < to)
            .ToListAsync(cancellationToken);
        var running = await db.Executions.AsNoTracking()
            .Where(e => e.AgentName == agent && e.Status == Running && e.StartedAt >= first && e.StartedAt < to)
            .Select(e => e.StartedAt)
            .ToListAsync(cancellationToken);

        var points = new SortedDictionary<DateTimeOffset, LedgerTotals>();
        for (var start = first; start < to; start += size)
        {
            points[start] = new LedgerTotals();
        }
        foreach (var row in rows)
        {
            points[row.BucketStart].Merge(RollupMapping.ToTotals(row));
        }
        foreach (var startedAt in running)
        {
            points[floor(startedAt)].Running++;
        }
        return points.Select(p => new SeriesPoint(p.Key, p.Value)).ToList();
    }

    private static async Task MergeRollupsAsync(LedgerDbContext db, string[] names, string period, TimeRange range, Dictionary<string, LedgerTotals> result, CancellationToken cancellationToken)
    {
        var rows = await db.Rollups.AsNoTracking()
            .Where(r => r.Period == period && r.BucketStart >= range.Start && r.BucketStart < range.End && names.Contains(r.AgentName))
            .ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            result[row.AgentName].Merge(RollupMapping.ToTotals(row));
        }
    }
}
