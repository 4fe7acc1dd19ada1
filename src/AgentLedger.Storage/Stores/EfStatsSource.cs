using AgentLedger.Core.Common;
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
internal sealed class EfStatsSource(ILedgerDbContextFactory contexts, OldEdgeCache oldEdges, WholeBucketCache wholeBuckets) : IStatsSource
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
        await db.Database.OpenConnectionAsync(cancellationToken);

        await MergeRollupsAsync(db, names, plan, wholeBuckets, result, cancellationToken);
        var raws = plan.Raw.ToList();
        if (raws.Count > 0 && raws[^1] is var edge && edge.End == to && edge.Start == LedgerTime.FloorHour(to) && await NewestHourFromRollupAsync(db, names, edge, result, cancellationToken))
        {
            raws.RemoveAt(raws.Count - 1);
        }
        var archivedBefore = raws.Count > 0 ? await ArchiveWatermark.ReadAsync(db, cancellationToken) : null;
        var running = await db.Executions.AsNoTracking()
            .Where(e => names.Contains(e.AgentName) && e.Status == Running && e.StartedAt >= from && e.StartedAt < to)
            .Select(e => new { e.AgentName, e.StartedAt })
            .ToListAsync(cancellationToken);
        foreach (var raw in raws)
        {
            if (OldEdgeCache.Covers(raw, to))
            {
                var inEdge = running.Where(r => r.StartedAt >= raw.Start && r.StartedAt < raw.End).ToLookup(r => r.AgentName, r => r.StartedAt);
                await oldEdges.AddAsync(db, names, raw, archivedBefore, inEdge, result, cancellationToken);
                continue;
            }
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
        foreach (var run in running.Where(r => !raws.Any(raw => r.StartedAt >= raw.Start && r.StartedAt < raw.End)))
        {
            result[run.AgentName].Running++;
        }
        return result;
    }

    /// <summary>
    /// A window usually ends at "now", inside the current hour, so its newest edge [hour, now) is
    /// the whole current hour minus nothing: rows start at or before now. When no execution started
    /// and no proposal was created in [now, end of hour) (only future-dated reports or another
    /// node's clock running ahead put any there), the hour's rollup is exactly that edge, and
    /// reading one bucket per agent replaces reading up to an hour of raw rows. The bucket is read
    /// before the check, so a row committed in between is either in neither or seen by the check.
    /// Returns false (nothing merged) when the raw rows must be read.
    /// </summary>
    private static async Task<bool> NewestHourFromRollupAsync(LedgerDbContext db, string[] names, TimeRange edge, Dictionary<string, LedgerTotals> result, CancellationToken cancellationToken)
    {
        var hourEnd = edge.Start + TimeSpan.FromHours(1);
        var rows = await db.Rollups.AsNoTracking()
            .Where(r => r.Period == RollupPeriods.Hour && r.BucketStart == edge.Start && names.Contains(r.AgentName))
            .ToListAsync(cancellationToken);
        // One statement for both checks: each statement is a round trip and a query-cache lookup.
        var later = await db.Executions.Where(e => names.Contains(e.AgentName) && e.StartedAt >= edge.End && e.StartedAt < hourEnd).Select(e => 1)
            .Concat(db.Proposals.Where(p => names.Contains(p.AgentName) && p.CreatedAt >= edge.End && p.CreatedAt < hourEnd).Select(p => 1))
            .AnyAsync(cancellationToken);
        if (later)
        {
            return false;
        }
        foreach (var row in rows)
        {
            RollupMapping.AddTo(row, result[row.AgentName]);
        }
        return true;
    }

    public async Task<IReadOnlyDictionary<string, LedgerTotals>> AllTimeAsync(IReadOnlyCollection<string> agents, CancellationToken cancellationToken)
    {
        var names = agents.ToArray();
        var result = agents.ToDictionary(a => a, _ => new LedgerTotals());
        await using var db = contexts.Create();
        await db.Database.OpenConnectionAsync(cancellationToken);
        // Counters only: the stats show no all-time percentiles or metric sums, and an all-time histogram is the largest blob there is.
        var rows = await db.Rollups.AsNoTracking()
            .Where(r => r.Period == RollupPeriods.All && names.Contains(r.AgentName))
            .Select(r => new Counters(r.AgentName, r.SuccessCount, r.FailedCount, r.TimeoutCount, r.CancelledCount, r.AbandonedCount, r.ProposalsCreated,
                r.ResourcesProcessed, r.DurationCount, r.DurationSumMs, r.DurationMaxMs, r.ProposalsRecorded, r.ProposalsApproved, r.ProposalsRejected, r.ProposalsExpired))
            .ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            row.AddTo(result[row.Agent]);
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
        // One snapshot for the few statements below, so that the newest failure and the count of failures
        // agree (a failure committed between two of them made "the last 3 failed" name the 2nd one's error).
        await using var snapshot = await db.Database.BeginSnapshotAsync(cancellationToken);
        var archived = await ArchiveWatermark.ReadAsync(db, cancellationToken) is not null;
        var newest = await NewestLiveAsync(db, agents, cancellationToken);
        foreach (var agent in agents)
        {
            var live = newest.GetValueOrDefault(agent) ?? Newest.None;
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
            else if ((live.Last ?? old.Last) is null)
            {
                // No run at all, live or archived: nothing to count, and no need to ask the rollup.
                consecutive = 0;
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
            RollupMapping.AddTo(row, points[row.BucketStart]);
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
        var raw = await OldEdgeCache.Runs(rows, names, range.Start, range.End).ToListAsync(cancellationToken);
        foreach (var row in raw)
        {
            ExecutionStatuses.TryParse(row.Status, out var status);
            var totals = result[row.AgentName];
            totals.AddExecution(status, row.DurationMs, row.ProposalsCreated, row.ResourcesProcessed, metrics: null);
            if (status != ExecutionStatus.Running)
            {
                JsonColumns.AddMetrics(row.Metrics, totals.MetricSums);
            }
        }
    }

    /// <summary>Names the statement that finds each agent's newest runs, in the database's logs (and for tests that step in after it).</summary>
    public const string NewestRunsTag = "newest runs of each agent";

    private sealed record Newest(ExecutionRow? Last, ExecutionRow? LastSuccess, ExecutionRow? LastFailure, long FailuresAfterSuccess)
    {
        public static readonly Newest None = new(null, null, null, 0);
    }

    /// <summary>
    /// The same seeks as <see cref="NewestAsync{T}"/> for every agent at once: one statement of
    /// correlated LIMIT 1 subqueries (each an index seek, never a scan), then the few rows they
    /// name by primary key. Per-agent queries cost two round trips per agent per status, which
    /// dominated a stats request.
    /// </summary>
    private static async Task<Dictionary<string, Newest>> NewestLiveAsync(LedgerDbContext db, IReadOnlyCollection<string> agents, CancellationToken cancellationToken)
    {
        var names = agents.ToArray();
        var executions = db.Executions.AsNoTracking();
        string failed = FailureStatuses[0], timeout = FailureStatuses[1], abandoned = FailureStatuses[2];
        // Every execution's agent is registered (in the transaction that writes the execution), so the agents table drives the seeks.
        var heads = await db.Agents.AsNoTracking()
            .TagWith(NewestRunsTag)
            .Where(a => names.Contains(a.Name))
            .Select(a => new
            {
                a.Name,
                Last = executions.Where(e => e.AgentName == a.Name)
                    .OrderByDescending(e => e.StartedAt).ThenByDescending(e => e.Seq).Select(e => (long?)e.Seq).FirstOrDefault(),
                Success = executions.Where(e => e.AgentName == a.Name && e.Status == Success)
                    .OrderByDescending(e => e.StartedAt).ThenByDescending(e => e.Seq).Select(e => (long?)e.Seq).FirstOrDefault(),
                // One seek per failure status: an IN list would make SQLite sort every failure.
                Failed = executions.Where(e => e.AgentName == a.Name && e.Status == failed)
                    .OrderByDescending(e => e.StartedAt).ThenByDescending(e => e.Seq).Select(e => (long?)e.Seq).FirstOrDefault(),
                Timeout = executions.Where(e => e.AgentName == a.Name && e.Status == timeout)
                    .OrderByDescending(e => e.StartedAt).ThenByDescending(e => e.Seq).Select(e => (long?)e.Seq).FirstOrDefault(),
                Abandoned = executions.Where(e => e.AgentName == a.Name && e.Status == abandoned)
                    .OrderByDescending(e => e.StartedAt).ThenByDescending(e => e.Seq).Select(e => (long?)e.Seq).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);

        var seqs = heads.SelectMany(h => new[] { h.Last, h.Success, h.Failed, h.Timeout, h.Abandoned }).OfType<long>().Distinct().ToArray();
        var rows = seqs.Length == 0 ? [] : await executions.Where(e => seqs.Contains(e.Seq)).ToDictionaryAsync(e => e.Seq, cancellationToken);
        ExecutionEntity? Row(long? seq) => seq is { } value ? rows[value] : null;

        var result = new Dictionary<string, Newest>();
        foreach (var head in heads)
        {
            if (Row(head.Last) is not { } last)
            {
                continue;
            }
            ExecutionRow? lastFailure = null;
            foreach (var newest in new[] { Row(head.Failed), Row(head.Timeout), Row(head.Abandoned) })
            {
                if (newest is not null && (lastFailure is null || newest.StartedAt > lastFailure.StartedAt))
                {
                    lastFailure = newest;
                }
            }
            var lastSuccess = Row(head.Success);
            // Only an agent whose newest run failed has failures after its newest success: the others need no count.
            long failuresAfterSuccess = 0;
            if (lastSuccess is not null && lastFailure is not null && lastFailure.StartedAt > lastSuccess.StartedAt)
            {
                var since = lastSuccess.StartedAt;
                var agent = head.Name;
                failuresAfterSuccess = await executions.LongCountAsync(
                    e => e.AgentName == agent && (e.Status == failed || e.Status == timeout || e.Status == abandoned) && e.StartedAt > since,
                    cancellationToken);
            }
            result[head.Name] = new Newest(last, lastSuccess, lastFailure, failuresAfterSuccess);
        }
        return result;
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

    /// <summary>The counters and duration sums of one bucket, or summed over several, of one agent.</summary>
    private sealed record Counters(string Agent, long Success, long Failed, long Timeout, long Cancelled, long Abandoned, long ProposalsCreated, long ResourcesProcessed,
        long DurationCount, double DurationSumMs, long DurationMaxMs, long ProposalsRecorded, long ProposalsApproved, long ProposalsRejected, long ProposalsExpired)
    {
        public WholeBucketCache.Print Print => new(Success, Failed, Timeout, Cancelled, Abandoned, DurationCount, ProposalsRecorded, ProposalsApproved, ProposalsRejected, ProposalsExpired);

        public void AddTo(LedgerTotals totals)
        {
            totals.Success += Success;
            totals.Failed += Failed;
            totals.Timeout += Timeout;
            totals.Cancelled += Cancelled;
            totals.Abandoned += Abandoned;
            totals.ProposalsCreated += ProposalsCreated;
            totals.ResourcesProcessed += ResourcesProcessed;
            totals.DurationCount += DurationCount;
            totals.DurationSumMs += DurationSumMs;
            totals.DurationMaxMs = Math.Max(totals.DurationMaxMs, DurationMaxMs);
            totals.ProposalsRecorded += ProposalsRecorded;
            totals.ProposalsApproved += ProposalsApproved;
            totals.ProposalsRejected += ProposalsRejected;
            totals.ProposalsExpired += ProposalsExpired;
        }
    }

    /// <summary>
    /// The whole days and hours of a window: the counters summed per agent by the database (whole
    /// numbers, and duration sums of whole milliseconds, so the order of addition cannot change
    /// them), then the two columns that must be merged here, histogram and metric sums, only for
    /// agents whose summed counters differ from the cached merge (see <see cref="WholeBucketCache"/>).
    /// Reading every bucket as a 19-column entity was a third of a stats request at 10 M executions,
    /// and merging every bucket's histogram and metrics on every request half of what remained.
    /// </summary>
    private static async Task MergeRollupsAsync(LedgerDbContext db, string[] names, WindowPlan plan, WholeBucketCache cache, Dictionary<string, LedgerTotals> result, CancellationToken cancellationToken)
    {
        var none = new TimeRange(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        if (plan.Days is null && plan.Hours.Count == 0)
        {
            return;
        }
        TimeRange days = plan.Days ?? none, firstHours = plan.Hours.Count > 0 ? plan.Hours[0] : none, lastHours = plan.Hours.Count > 1 ? plan.Hours[1] : none;
        var sums = await WholeBuckets(db, names, days, firstHours, lastHours)
            .GroupBy(r => r.AgentName)
            .Select(g => new Counters(g.Key, g.Sum(r => r.SuccessCount), g.Sum(r => r.FailedCount), g.Sum(r => r.TimeoutCount), g.Sum(r => r.CancelledCount),
                g.Sum(r => r.AbandonedCount), g.Sum(r => r.ProposalsCreated), g.Sum(r => r.ResourcesProcessed), g.Sum(r => r.DurationCount), g.Sum(r => r.DurationSumMs),
                g.Max(r => r.DurationMaxMs), g.Sum(r => r.ProposalsRecorded), g.Sum(r => r.ProposalsApproved), g.Sum(r => r.ProposalsRejected), g.Sum(r => r.ProposalsExpired)))
            .ToListAsync(cancellationToken);
        var stale = new Dictionary<string, WholeBucketCache.Print>();
        foreach (var sum in sums)
        {
            var totals = result[sum.Agent];
            sum.AddTo(totals);
            var print = sum.Print;
            if (cache.TryGet(new WholeBucketCache.Key(sum.Agent, days, firstHours, lastHours), print, out var merged))
            {
                AddMerged(totals, merged.Histogram, merged.MetricSums);
            }
            else
            {
                stale[sum.Agent] = print;
            }
        }
        if (stale.Count == 0)
        {
            return;
        }
        var buckets = await WholeBuckets(db, [.. stale.Keys], days, firstHours, lastHours)
            .Select(r => new
            {
                r.AgentName,
                r.DurationHistogram,
                r.MetricSums,
                Print = new WholeBucketCache.Print(r.SuccessCount, r.FailedCount, r.TimeoutCount, r.CancelledCount, r.AbandonedCount, r.DurationCount,
                    r.ProposalsRecorded, r.ProposalsApproved, r.ProposalsRejected, r.ProposalsExpired),
            })
            .ToListAsync(cancellationToken);
        foreach (var agent in buckets.GroupBy(b => b.AgentName))
        {
            var histogram = new DurationHistogram();
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            var print = default(WholeBucketCache.Print);
            foreach (var bucket in agent)
            {
                histogram.MergeBytes(bucket.DurationHistogram);
                JsonColumns.AddMetrics(bucket.MetricSums, metrics);
                print += bucket.Print;
            }
            AddMerged(result[agent.Key], histogram, metrics);
            // A write committed between the two statements shows as a different print: merged as read, not kept.
            if (print == stale[agent.Key])
            {
                cache.Add(new WholeBucketCache.Key(agent.Key, days, firstHours, lastHours), print, histogram, metrics);
            }
        }
    }

    private static void AddMerged(LedgerTotals totals, DurationHistogram histogram, IReadOnlyDictionary<string, double> metricSums)
    {
        totals.Histogram.Merge(histogram);
        foreach (var (name, value) in metricSums)
        {
            totals.MetricSums[name] = totals.MetricSums.GetValueOrDefault(name) + value;
        }
    }

    /// <summary>Daily buckets in one range and hourly buckets in up to two (an empty range matches nothing), so the statement has one shape.</summary>
    private static IQueryable<RollupEntity> WholeBuckets(LedgerDbContext db, string[] names, TimeRange days, TimeRange firstHours, TimeRange lastHours)
    {
        string day = RollupPeriods.Day, hour = RollupPeriods.Hour;
        DateTimeOffset dayFrom = days.Start, dayTo = days.End, firstFrom = firstHours.Start, firstTo = firstHours.End, lastFrom = lastHours.Start, lastTo = lastHours.End;
        return db.Rollups.AsNoTracking().Where(r => names.Contains(r.AgentName)
            && ((r.Period == day && r.BucketStart >= dayFrom && r.BucketStart < dayTo)
                || (r.Period == hour && r.BucketStart >= firstFrom && r.BucketStart < firstTo)
                || (r.Period == hour && r.BucketStart >= lastFrom && r.BucketStart < lastTo)));
    }
}
