using System.Globalization;
using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;
using AgentLedger.Core.Stats;
using AgentLedger.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage.Rollups;

public sealed record RollupMismatch(string AgentName, string Period, DateTimeOffset BucketStart, string Field, string Expected, string Actual);

public sealed record VerifyReport(long ExecutionsRead, long ProposalsRead, int BucketsChecked, IReadOnlyList<RollupMismatch> Mismatches)
{
    public bool Ok => Mismatches.Count == 0;
}

/// <summary>
/// Recomputes every rollup bucket from the raw rows (live and archived executions, proposals) and
/// reports each field that differs from what is stored. Read-only.
/// </summary>
public sealed class RollupVerifier(ILedgerDbContextFactory contexts)
{
    private static readonly string Running = ExecutionStatus.Running.ToWire();

    public async Task<VerifyReport> VerifyAsync(CancellationToken cancellationToken)
    {
        var expected = new Dictionary<BucketKey, LedgerTotals>();
        await using var db = contexts.Create();
        long executions = 0, proposals = 0;
        executions += await ReadExecutionsAsync(db.Executions, expected, cancellationToken);
        executions += await ReadExecutionsAsync(db.ArchivedExecutions, expected, cancellationToken);
        await foreach (var p in db.Proposals.AsNoTracking().Select(p => new { p.AgentName, p.CreatedAt, p.Status }).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            ProposalStatuses.TryParse(p.Status, out var status);
            foreach (var bucket in Buckets(p.AgentName, p.CreatedAt))
            {
                Totals(expected, bucket).AddProposal(status);
            }
            proposals++;
        }

        var stored = await db.Rollups.AsNoTracking().ToListAsync(cancellationToken);
        var actual = stored.ToDictionary(r => new BucketKey(r.AgentName, r.Period, r.BucketStart), RollupMapping.ToTotals);
        var mismatches = new List<RollupMismatch>();
        var keys = expected.Keys.Union(actual.Keys).OrderBy(k => k.Agent, StringComparer.Ordinal).ThenBy(k => k.Period, StringComparer.Ordinal).ThenBy(k => k.Bucket).ToList();
        foreach (var key in keys)
        {
            var want = expected.GetValueOrDefault(key) ?? new LedgerTotals();
            var have = actual.GetValueOrDefault(key) ?? new LedgerTotals();
            foreach (var (field, w, h) in Differences(want, have))
            {
                mismatches.Add(new RollupMismatch(key.Agent, key.Period, key.Bucket, field, w, h));
            }
        }
        return new VerifyReport(executions, proposals, keys.Count, mismatches);
    }

    private static async Task<long> ReadExecutionsAsync<T>(IQueryable<T> table, Dictionary<BucketKey, LedgerTotals> expected, CancellationToken cancellationToken)
        where T : ExecutionRow
    {
        long count = 0;
        var rows = table.AsNoTracking()
            .Where(e => e.Status != Running)
            .Select(e => new { e.AgentName, e.StartedAt, e.Status, e.DurationMs, e.ProposalsCreated, e.ResourcesProcessed, e.Metrics })
            .AsAsyncEnumerable();
        await foreach (var e in rows.WithCancellation(cancellationToken))
        {
            ExecutionStatuses.TryParse(e.Status, out var status);
            var metrics = JsonColumns.ReadMetrics(e.Metrics);
            foreach (var bucket in Buckets(e.AgentName, e.StartedAt))
            {
                Totals(expected, bucket).AddExecution(status, e.DurationMs, e.ProposalsCreated, e.ResourcesProcessed, metrics);
            }
            count++;
        }
        return count;
    }

    private static IEnumerable<BucketKey> Buckets(string agent, DateTimeOffset at) =>
    [
        new(agent, RollupPeriods.Hour, LedgerTime.FloorHour(at)),
        new(agent, RollupPeriods.Day, LedgerTime.FloorDay(at)),
        new(agent, RollupPeriods.All, DateTimeOffset.UnixEpoch),
    ];

    private static LedgerTotals Totals(Dictionary<BucketKey, LedgerTotals> map, BucketKey key)
    {
        if (!map.TryGetValue(key, out var totals))
        {
            map[key] = totals = new LedgerTotals();
        }
        return totals;
    }

    private readonly record struct BucketKey(string Agent, string Period, DateTimeOffset Bucket);

    private static IEnumerable<(string Field, string Expected, string Actual)> Differences(LedgerTotals want, LedgerTotals have)
    {
        var exact = new (string, long, long)[]
        {
            ("success_count", want.Success, have.Success),
            ("failed_count", want.Failed, have.Failed),
            ("timeout_count", want.Timeout, have.Timeout),
            ("cancelled_count", want.Cancelled, have.Cancelled),
            ("abandoned_count", want.Abandoned, have.Abandoned),
            ("proposals_created", want.ProposalsCreated, have.ProposalsCreated),
            ("resources_processed", want.ResourcesProcessed, have.ResourcesProcessed),
            ("duration_count", want.DurationCount, have.DurationCount),
            ("duration_max_ms", want.DurationMaxMs, have.DurationMaxMs),
            ("proposals_recorded", want.ProposalsRecorded, have.ProposalsRecorded),
            ("proposals_approved", want.ProposalsApproved, have.ProposalsApproved),
            ("proposals_rejected", want.ProposalsRejected, have.ProposalsRejected),
            ("proposals_expired", want.ProposalsExpired, have.ProposalsExpired),
        };
        foreach (var (field, w, h) in exact.Where(x => x.Item2 != x.Item3))
        {
            yield return (field, w.ToString(CultureInfo.InvariantCulture), h.ToString(CultureInfo.InvariantCulture));
        }
        if (!Close(want.DurationSumMs, have.DurationSumMs))
        {
            yield return ("duration_sum_ms", Text(want.DurationSumMs), Text(have.DurationSumMs));
        }
        if (!want.Histogram.HasSameBuckets(have.Histogram))
        {
            yield return ("duration_histogram", $"{want.Histogram.Count} values", $"{have.Histogram.Count} values (different buckets)");
        }
        foreach (var name in want.MetricSums.Keys.Union(have.MetricSums.Keys))
        {
            var (w, h) = (want.MetricSums.GetValueOrDefault(name), have.MetricSums.GetValueOrDefault(name));
            if (!Close(w, h))
            {
                yield return ($"metric_sums.{name}", Text(w), Text(h));
            }
        }
    }

    /// <summary>Sums of doubles depend on their order; a relative 1e-9 is far below any real difference.</summary>
    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
