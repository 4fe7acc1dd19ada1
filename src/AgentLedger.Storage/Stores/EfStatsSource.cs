using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;
using AgentLedger.Core.Stats;
using AgentLedger.Storage.Entities;
using AgentLedger.Storage.Retention;
using AgentLedger.Storage.Rollups;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage.Stores;

/// <summary>
/// Window totals = whole daily and hourly rollup buckets + the raw rows of the partial edges
/// (see <see cref="WindowPlan"/>), plus runs still in progress, which no rollup holds yet. Raw rows
/// older than the archive watermark are read from the archive, so archiving changes no number.
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
        var archivedBefore = plan.Raw.Count > 0 ? await ArchiveWatermark.ReadAsync(db, cancellationToken) : null;
        foreach (var raw in plan.Raw)
        {
            await AddRawAsync(db.Executions, names, raw, result, cancellationToken);
            if (raw.Start < archivedBefore)
            {
                await AddRawAsync(db.ArchivedExecutions, names, raw, result, cancellationToken);
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
        var archived = await ArchiveWatermark.ReadAsync(db, cancellationToken) is not null;
        foreach (var agent in agents)
        {
            var live = await NewestAsync(db.Executions, agent, cancellationToken);
            // Archived rows are all older than live ones: look there only for what the live rows lack.
            var old = archived && (live.LastSuccess is null || live.LastFailure is null)
                ? await NewestAsync(db.ArchivedExecutions, agent, cancellationToken)
                : Newest.None;
            var lastSuccess = live.LastSuccess ?? old.LastSuccess;
            long consecutive;
            if (live.LastSuccess is not null)
            {
                consecutive = live.FailuresAfterSuccess;
            }
            else if (old.LastSuccess is not null)
            {
                // Every live failure is newer than the archived success.
                consecutive = old.FailuresAfterSuccess + await db.Executions.LongCountAsync(
                    e => e.AgentName == agent && FailureStatuses.Contains(e.Status), cancellationToken);
            }
            else
            {
                // Never succeeded: every failure ever counts, and the all-time rollup has them all.
                var all = await db.Rollups.AsNoTracking()
                    .SingleOrDefaultAsync(r => r.Period == RollupPeriods.All && r.AgentName == agent, cancellationToken);
                consecutive = all is null ? 0 : all.FailedCount + all.TimeoutCount + all.AbandonedCount;
            }
            result[agent] = new LatestRuns(
                (live.Last ?? old.Last)?.ToModel(),
                lastSuccess?.CompletedAt,
                (live.LastFailure ?? old.LastFailure)?.ToModel(),
                consecutive);
        }
        return result;
    }

    public async Task<IReadOnlyList<SeriesPoint>> SeriesAsync(string agent, DateTimeOffset from, DateTimeOffset to, BucketPeriod period, CancellationToken cancellationToken)
    {
        var (name, size, floor) = period == BucketPeriod.Hour
            ? (RollupPeriods.Hour, TimeSpan.FromHours(1), (Func<DateTimeOffset, DateTimeOffset>)Core.Common.LedgerTime.FloorHour)
            : (RollupPeriods.Day, TimeSpan.FromDays(1), Core.Common.LedgerTime.FloorDay);
        var first = floor(from);
        await using var db = contexts.Create();
        var rows = await db.Rollups.AsNoTracking()
            .Where(r => r.Period == name && r.AgentName == agent && r.BucketStart >= first && r.BucketStart < to)
            .ToListAsync(cancellationToken);
        var running = await db.Executions.AsNoTracking()
            .Where(e => e.AgentName == agent && e.Status == Running && e.StartedAt >= first && e.StartedAt < to)
            .Select(e => e.StartedAt)
            .ToListAsync(cancellationToken);
        var archivedBefore = await ArchiveWatermark.ReadAsync(db, cancellationToken);

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
        return points.Select(p => new SeriesPoint(p.Key, p.Value, p.Key + size <= archivedBefore)).ToList();
    }

    private static async Task AddRawAsync<T>(IQueryable<T> rows, string[] names, TimeRange range, Dictionary<string, LedgerTotals> result, CancellationToken cancellationToken)
        where T : ExecutionRow
    {
        var raw = await rows.AsNoTracking()
            .Where(e => names.Contains(e.AgentName) && e.StartedAt >= range.Start && e.StartedAt < range.End)
            .Select(e => new { e.AgentName, e.Status, e.DurationMs, e.ProposalsCreated, e.ResourcesProcessed, e.Metrics })
            .ToListAsync(cancellationToken);
        foreach (var row in raw)
        {
            ExecutionStatuses.TryParse(row.Status, out var status);
            result[row.AgentName].AddExecution(status, row.DurationMs, row.ProposalsCreated, row.ResourcesProcessed, JsonColumns.ReadMetrics(row.Metrics));
        }
    }

    private sealed record Newest(ExecutionRow? Last, ExecutionRow? LastSuccess, ExecutionRow? LastFailure, long FailuresAfterSuccess)
    {
        public static readonly Newest None = new(null, null, null, 0);
    }

    /// <summary>Index seeks only: the newest row, the newest success, the newest of each failure status.</summary>
    private static async Task<Newest> NewestAsync<T>(IQueryable<T> table, string agent, CancellationToken cancellationToken)
        where T : ExecutionRow
    {
        var rows = table.AsNoTracking().Where(e => e.AgentName == agent);
        var last = await rows.OrderByDescending(e => e.StartedAt).ThenByDescending(e => e.Seq).FirstOrDefaultAsync(cancellationToken);
        if (last is null)
        {
            return Newest.None;
        }
        var lastSuccess = await rows.Where(e => e.Status == Success)
            .OrderByDescending(e => e.StartedAt).ThenByDescending(e => e.Seq)
            .FirstOrDefaultAsync(cancellationToken);

        // One seek per failure status: an IN list would make SQLite sort every failure.
        ExecutionRow? lastFailure = null;
        long failuresAfterSuccess = 0;
        foreach (var status in FailureStatuses)
        {
            var ofStatus = rows.Where(e => e.Status == status);
            var newest = await ofStatus.OrderByDescending(e => e.StartedAt).ThenByDescending(e => e.Seq).FirstOrDefaultAsync(cancellationToken);
            if (newest is not null && (lastFailure is null || newest.StartedAt > lastFailure.StartedAt))
            {
                lastFailure = newest;
            }
            if (lastSuccess is not null)
            {
                failuresAfterSuccess += await ofStatus.LongCountAsync(e => e.StartedAt > lastSuccess.StartedAt, cancellationToken);
            }
        }
        return new Newest(last, lastSuccess, lastFailure, failuresAfterSuccess);
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
