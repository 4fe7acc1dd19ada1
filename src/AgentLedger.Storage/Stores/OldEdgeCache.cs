using System.Collections.Concurrent;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;
using AgentLedger.Core.Stats;
using AgentLedger.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage.Stores;

/// <summary>
/// The oldest edge of a sliding window, <c>[now − 30 d, next hour)</c>, needs raw rows to be exact:
/// about 2 500 per request at 10 M executions, the one part of a stats request that grows with
/// history. Those rows are a month old and almost never change, so each agent's rows of that hour
/// are kept in memory and checked on every use against the hour's rollup row, which every change
/// to them moves: a run finished or back-filled, a proposal recorded or reviewed (the counters only
/// grow, so a changed hour never looks unchanged). Runs still running are in no rollup; they are
/// checked against the window's running rows, which the request reads anyway. A changed agent's
/// hour is read again, so the numbers are those of the raw rows, as before.
/// </summary>
internal sealed class OldEdgeCache
{
    /// <summary>At most this many agent-hours are kept (a few windows × the agents: well under 10 MB).</summary>
    private const int MaxEntries = 512;

    private readonly ConcurrentDictionary<(string Agent, DateTimeOffset Hour), AgentHour> _entries = new();

    /// <summary>The counters of an hour's rollup row that any change to its raw rows increases.</summary>
    private readonly record struct Print(long Success, long Failed, long Timeout, long Cancelled, long Abandoned, long Recorded, long Approved, long Rejected, long Expired);

    private readonly record struct EdgeRun(DateTimeOffset StartedAt, ExecutionStatus Status, long? DurationMs, long Proposals, long Resources, IReadOnlyDictionary<string, double>? Metrics);

    private readonly record struct EdgeProposal(DateTimeOffset CreatedAt, ProposalStatus Status);

    private sealed record AgentHour(Print Print, EdgeRun[] Runs, EdgeProposal[] Proposals);

    /// <summary>
    /// An edge that ends on the hour and lies at least an hour before the window's end: the oldest
    /// edge of a sliding window. The newest edge changes with every run and is read as it is.
    /// </summary>
    public static bool Covers(TimeRange edge, DateTimeOffset windowEnd) =>
        edge.End.UtcTicks % TimeSpan.TicksPerHour == 0
        && edge.End - edge.Start < TimeSpan.FromHours(1)
        && edge.End <= windowEnd - TimeSpan.FromHours(1);

    /// <summary>Adds the edge's runs and proposals to <paramref name="result"/>; <paramref name="running"/> are the running rows the request read in the edge.</summary>
    public async Task AddAsync(
        LedgerDbContext db, string[] names, TimeRange edge, DateTimeOffset? archivedBefore, ILookup<string, DateTimeOffset> running,
        Dictionary<string, LedgerTotals> result, CancellationToken cancellationToken)
    {
        var hour = edge.End - TimeSpan.FromHours(1);
        var prints = await db.Rollups.AsNoTracking()
            .Where(r => r.Period == RollupPeriods.Hour && r.BucketStart == hour && names.Contains(r.AgentName))
            .Select(r => new { r.AgentName, Print = new Print(r.SuccessCount, r.FailedCount, r.TimeoutCount, r.CancelledCount, r.AbandonedCount, r.ProposalsRecorded, r.ProposalsApproved, r.ProposalsRejected, r.ProposalsExpired) })
            .ToDictionaryAsync(r => r.AgentName, r => r.Print, cancellationToken);
        var hours = new Dictionary<string, AgentHour>(names.Length);
        var stale = new List<string>();
        foreach (var name in names)
        {
            var print = prints.GetValueOrDefault(name);
            if (_entries.TryGetValue((name, hour), out var cached) && cached.Print == print && SameRunning(cached, edge, running[name]))
            {
                hours[name] = cached;
            }
            else
            {
                stale.Add(name);
            }
        }
        if (stale.Count > 0)
        {
            foreach (var (name, loaded) in await LoadAsync(db, [.. stale], hour, archivedBefore, prints, cancellationToken))
            {
                hours[name] = loaded;
                _entries[(name, hour)] = loaded;
            }
            Evict(hour);
        }
        foreach (var (name, agentHour) in hours)
        {
            var totals = result[name];
            foreach (var run in agentHour.Runs.AsSpan(From(agentHour.Runs, edge.Start)))
            {
                totals.AddExecution(run.Status, run.DurationMs, run.Proposals, run.Resources, run.Status == ExecutionStatus.Running ? null : run.Metrics);
            }
            foreach (var proposal in agentHour.Proposals.Where(p => p.CreatedAt >= edge.Start))
            {
                totals.AddProposal(proposal.Status);
            }
        }
    }

    private static bool SameRunning(AgentHour cached, TimeRange edge, IEnumerable<DateTimeOffset> running) =>
        cached.Runs.Skip(From(cached.Runs, edge.Start)).Where(r => r.Status == ExecutionStatus.Running).Select(r => r.StartedAt)
            .SequenceEqual(running.Order());

    /// <summary>Index of the first run at or after <paramref name="start"/> (runs are sorted by start).</summary>
    private static int From(EdgeRun[] runs, DateTimeOffset start)
    {
        int lo = 0, hi = runs.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (runs[mid].StartedAt < start)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    private static async Task<Dictionary<string, AgentHour>> LoadAsync(
        LedgerDbContext db, string[] names, DateTimeOffset hour, DateTimeOffset? archivedBefore, Dictionary<string, Print> prints, CancellationToken cancellationToken)
    {
        var end = hour + TimeSpan.FromHours(1);
        var runs = await Runs(db.Executions, names, hour, end).ToListAsync(cancellationToken);
        if (hour < archivedBefore)
        {
            runs.AddRange(await Runs(db.ArchivedExecutions, names, hour, end).ToListAsync(cancellationToken));
        }
        var proposals = await db.Proposals.AsNoTracking()
            .Where(p => names.Contains(p.AgentName) && p.CreatedAt >= hour && p.CreatedAt < end)
            .Select(p => new { p.AgentName, p.CreatedAt, p.Status })
            .ToListAsync(cancellationToken);
        var runsOf = runs.ToLookup(r => r.AgentName);
        var proposalsOf = proposals.ToLookup(p => p.AgentName);
        return names.ToDictionary(name => name, name => new AgentHour(
            prints.GetValueOrDefault(name),
            runsOf[name].Select(ToRun).OrderBy(r => r.StartedAt).ToArray(),
            proposalsOf[name].Select(p => new EdgeProposal(p.CreatedAt, ProposalStatuses.TryParse(p.Status, out var s) ? s : default)).ToArray()));
    }

    /// <summary>What a window needs of a raw execution row.</summary>
    internal sealed record RawRun(string AgentName, DateTimeOffset StartedAt, string Status, long? DurationMs, long ProposalsCreated, long ResourcesProcessed, string? Metrics);

    /// <summary>The raw rows of <paramref name="names"/> that started in [<paramref name="from"/>, <paramref name="to"/>), live or archived table.</summary>
    internal static IQueryable<RawRun> Runs<T>(IQueryable<T> rows, string[] names, DateTimeOffset from, DateTimeOffset to) where T : ExecutionRow =>
        rows.AsNoTracking()
            .Where(e => names.Contains(e.AgentName) && e.StartedAt >= from && e.StartedAt < to)
            .Select(e => new RawRun(e.AgentName, e.StartedAt, e.Status, e.DurationMs, e.ProposalsCreated, e.ResourcesProcessed, e.Metrics));

    private static EdgeRun ToRun(RawRun row)
    {
        ExecutionStatuses.TryParse(row.Status, out var status);
        Dictionary<string, double>? metrics = null;
        if (row.Metrics is not null)
        {
            metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            JsonColumns.AddMetrics(row.Metrics, metrics);
        }
        return new EdgeRun(row.StartedAt, status, row.DurationMs, row.ProposalsCreated, row.ResourcesProcessed, metrics);
    }

    /// <summary>Keeps the newest hours: windows slide forward, so older hours are not asked for again.</summary>
    private void Evict(DateTimeOffset current)
    {
        if (_entries.Count <= MaxEntries)
        {
            return;
        }
        foreach (var key in _entries.Keys.Where(k => k.Hour < current).OrderBy(k => k.Hour).Take(_entries.Count - MaxEntries / 2))
        {
            _entries.TryRemove(key, out _);
        }
    }
}
