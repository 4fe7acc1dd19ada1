using AgentLedger.Core.Common;
using AgentLedger.Core.Stats;
using AgentLedger.Storage.Entities;
using AgentLedger.Storage.Stores;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage.Rollups;

/// <summary>
/// Adds a delta to the hour, day and all-time buckets that contain an instant, inside the caller's
/// transaction, so the raw rows and the rollups can never disagree.
/// </summary>
internal static class RollupWriter
{
    // Read in every finalising transaction: compiled once, so no expression tree is walked per call.
    private static readonly Func<LedgerDbContext, string, DateTimeOffset, DateTimeOffset, DateTimeOffset, IAsyncEnumerable<RollupEntity>> Buckets =
        EF.CompileAsyncQuery((LedgerDbContext db, string agentName, DateTimeOffset hour, DateTimeOffset day, DateTimeOffset all) =>
            db.Rollups.AsNoTracking().Where(r => r.AgentName == agentName
                && ((r.Period == RollupPeriods.Hour && r.BucketStart == hour)
                    || (r.Period == RollupPeriods.Day && r.BucketStart == day)
                    || (r.Period == RollupPeriods.All && r.BucketStart == all))));

    /// <summary>
    /// Reads the three buckets (one statement), merges the delta and writes them back (one upsert statement).
    /// The read and the writes share the caller's transaction after <see cref="LedgerDbContext.LockAgentAsync"/>,
    /// so no other writer of this agent's rollups comes in between.
    /// </summary>
    public static async Task AddAsync(LedgerDbContext db, string agentName, DateTimeOffset instant, LedgerTotals delta, CancellationToken cancellationToken)
    {
        await db.LockAgentAsync(agentName, cancellationToken);
        var hour = LedgerTime.FloorHour(instant);
        var day = LedgerTime.FloorDay(instant);
        var all = DateTimeOffset.UnixEpoch;
        var stored = await Buckets(db, agentName, hour, day, all).ToListAsync(cancellationToken);
        var rows = new[] { (RollupPeriods.Hour, hour), (RollupPeriods.Day, day), (RollupPeriods.All, all) }.Select(bucket =>
        {
            var (period, bucketStart) = bucket;
            var row = stored.Find(r => r.Period == period) ?? new RollupEntity { AgentName = agentName, Period = period, BucketStart = bucketStart };
            var totals = RollupMapping.ToTotals(row);
            totals.Merge(delta);
            RollupMapping.CopyTo(totals, row);
            return row;
        }).ToList();
        await LedgerStatements.UpsertAsync(db, rows, cancellationToken);
    }
}

internal static class RollupMapping
{
    public static LedgerTotals ToTotals(RollupEntity row)
    {
        var totals = new LedgerTotals
        {
            Success = row.SuccessCount,
            Failed = row.FailedCount,
            Timeout = row.TimeoutCount,
            Cancelled = row.CancelledCount,
            Abandoned = row.AbandonedCount,
            ProposalsCreated = row.ProposalsCreated,
            ResourcesProcessed = row.ResourcesProcessed,
            DurationCount = row.DurationCount,
            DurationSumMs = row.DurationSumMs,
            DurationMaxMs = row.DurationMaxMs,
            Histogram = DurationHistogram.FromBytes(row.DurationHistogram),
            ProposalsRecorded = row.ProposalsRecorded,
            ProposalsApproved = row.ProposalsApproved,
            ProposalsRejected = row.ProposalsRejected,
            ProposalsExpired = row.ProposalsExpired,
        };
        foreach (var (name, value) in JsonColumns.ReadMetrics(row.MetricSums))
        {
            totals.MetricSums[name] = value;
        }
        return totals;
    }

    /// <summary>
    /// Adds a stored bucket to running totals without building a <see cref="LedgerTotals"/> for it:
    /// window and all-time reads merge hundreds of buckets per request.
    /// </summary>
    public static void AddTo(RollupEntity row, LedgerTotals totals)
    {
        totals.Success += row.SuccessCount;
        totals.Failed += row.FailedCount;
        totals.Timeout += row.TimeoutCount;
        totals.Cancelled += row.CancelledCount;
        totals.Abandoned += row.AbandonedCount;
        totals.ProposalsCreated += row.ProposalsCreated;
        totals.ResourcesProcessed += row.ResourcesProcessed;
        totals.DurationCount += row.DurationCount;
        totals.DurationSumMs += row.DurationSumMs;
        totals.DurationMaxMs = Math.Max(totals.DurationMaxMs, row.DurationMaxMs);
        totals.Histogram.MergeBytes(row.DurationHistogram);
        JsonColumns.AddMetrics(row.MetricSums, totals.MetricSums);
        totals.ProposalsRecorded += row.ProposalsRecorded;
        totals.ProposalsApproved += row.ProposalsApproved;
        totals.ProposalsRejected += row.ProposalsRejected;
        totals.ProposalsExpired += row.ProposalsExpired;
    }

    public static void CopyTo(LedgerTotals totals, RollupEntity row)
    {
        row.SuccessCount = totals.Success;
        row.FailedCount = totals.Failed;
        row.TimeoutCount = totals.Timeout;
        row.CancelledCount = totals.Cancelled;
        row.AbandonedCount = totals.Abandoned;
        row.ProposalsCreated = totals.ProposalsCreated;
        row.ResourcesProcessed = totals.ResourcesProcessed;
        row.DurationCount = totals.DurationCount;
        row.DurationSumMs = totals.DurationSumMs;
        row.DurationMaxMs = totals.DurationMaxMs;
        row.DurationHistogram = totals.Histogram.ToBytes();
        row.MetricSums = JsonColumns.WriteMetrics(totals.MetricSums);
        row.ProposalsRecorded = totals.ProposalsRecorded;
        row.ProposalsApproved = totals.ProposalsApproved;
        row.ProposalsRejected = totals.ProposalsRejected;
        row.ProposalsExpired = totals.ProposalsExpired;
    }
}
