using AgentLedger.Core.Common;
using AgentLedger.Core.Stats;
using AgentLedger.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage.Rollups;

/// <summary>
/// Adds a delta to the hour, day and all-time buckets that contain an instant, inside the caller's
/// transaction, so the raw rows and the rollups can never disagree.
/// </summary>
internal static class RollupWriter
{
    public static async Task AddAsync(LedgerDbContext db, string agentName, DateTimeOffset instant, LedgerTotals delta, CancellationToken cancellationToken)
    {
        await db.LockAgentAsync(agentName, cancellationToken);
        await AddToBucketAsync(db, agentName, RollupPeriods.Hour, LedgerTime.FloorHour(instant), delta, cancellationToken);
        await AddToBucketAsync(db, agentName, RollupPeriods.Day, LedgerTime.FloorDay(instant), delta, cancellationToken);
        await AddToBucketAsync(db, agentName, RollupPeriods.All, DateTimeOffset.UnixEpoch, delta, cancellationToken);
    }

    private static async Task AddToBucketAsync(LedgerDbContext db, string agentName, string period, DateTimeOffset bucketStart, LedgerTotals delta, CancellationToken cancellationToken)
    {
        var row = await db.Rollups.FindAsync([period, bucketStart, agentName], cancellationToken);
        if (row is null)
        {
            row = new RollupEntity { AgentName = agentName, Period = period, BucketStart = bucketStart };
            db.Rollups.Add(row);
        }
        var totals = RollupMapping.ToTotals(row);
        totals.Merge(delta);
        RollupMapping.CopyTo(totals, row);
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
