using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;

namespace AgentLedger.Core.Stats;

/// <summary>
/// Mergeable sums over a set of executions and proposals: what one rollup bucket stores, and what
/// a window adds up from whole buckets plus the raw rows of its partial edges.
/// </summary>
public sealed class LedgerTotals
{
    public long Success { get; set; }
    public long Failed { get; set; }
    public long Timeout { get; set; }
    public long Cancelled { get; set; }
    public long Abandoned { get; set; }

    /// <summary>Never stored in a rollup (a rollup holds finished runs); counted from raw rows.</summary>
    public long Running { get; set; }

    public long ProposalsCreated { get; set; }
    public long ResourcesProcessed { get; set; }
    public long DurationCount { get; set; }
    public double DurationSumMs { get; set; }
    public long DurationMaxMs { get; set; }
    public DurationHistogram Histogram { get; set; } = new();
    public Dictionary<string, double> MetricSums { get; } = new(StringComparer.Ordinal);

    /// <summary>Proposals bucketed by their own <c>created_at</c>, with their review outcome.</summary>
    public long ProposalsRecorded { get; set; }
    public long ProposalsApproved { get; set; }
    public long ProposalsRejected { get; set; }
    public long ProposalsExpired { get; set; }

    public long Finished => Success + Failed + Timeout + Cancelled + Abandoned;
    public long Runs => Finished + Running;
    public long Failures => Failed + Timeout + Abandoned;

    /// <summary>
    /// A duration percentile that never exceeds the exact <see cref="DurationMaxMs"/>: the histogram
    /// clamps to its own extrema, which a bucket from before they were stored only bounds.
    /// </summary>
    public double? DurationPercentile(double p) => Histogram.Percentile(p) is { } value ? Math.Min(value, DurationMaxMs) : null;

    public void AddExecution(ExecutionStatus status, long? durationMs, long proposalsCreated, long resourcesProcessed, IReadOnlyDictionary<string, double>? metrics)
    {
        switch (status)
        {
            case ExecutionStatus.Running: Running++; return;
            case ExecutionStatus.Success: Success++; break;
            case ExecutionStatus.Failed: Failed++; break;
            case ExecutionStatus.Timeout: Timeout++; break;
            case ExecutionStatus.Cancelled: Cancelled++; break;
            case ExecutionStatus.Abandoned: Abandoned++; break;
        }
        ProposalsCreated += proposalsCreated;
        ResourcesProcessed += resourcesProcessed;
        if (durationMs is { } duration)
        {
            DurationCount++;
            DurationSumMs += duration;
            DurationMaxMs = Math.Max(DurationMaxMs, duration);
            Histogram.Add(duration);
        }
        foreach (var (name, value) in metrics ?? new Dictionary<string, double>())
        {
            MetricSums[name] = MetricSums.GetValueOrDefault(name) + value;
        }
    }

    public void AddProposal(ProposalStatus status)
    {
        ProposalsRecorded++;
        CountDecision(status, +1);
    }

    /// <summary>A proposal already counted as pending got its final status.</summary>
    public void MoveProposal(ProposalStatus to) => CountDecision(to, +1);

    public void Merge(LedgerTotals other)
    {
        Success += other.Success;
        Failed += other.Failed;
        Timeout += other.Timeout;
        Cancelled += other.Cancelled;
        Abandoned += other.Abandoned;
        Running += other.Running;
        ProposalsCreated += other.ProposalsCreated;
        ResourcesProcessed += other.ResourcesProcessed;
        DurationCount += other.DurationCount;
        DurationSumMs += other.DurationSumMs;
        DurationMaxMs = Math.Max(DurationMaxMs, other.DurationMaxMs);
        Histogram.Merge(other.Histogram);
        foreach (var (name, value) in other.MetricSums)
        {
            MetricSums[name] = MetricSums.GetValueOrDefault(name) + value;
        }
        ProposalsRecorded += other.ProposalsRecorded;
        ProposalsApproved += other.ProposalsApproved;
        ProposalsRejected += other.ProposalsRejected;
        ProposalsExpired += other.ProposalsExpired;
    }

    private void CountDecision(ProposalStatus status, int delta)
    {
        switch (status)
        {
            case ProposalStatus.Approved: ProposalsApproved += delta; break;
            case ProposalStatus.Rejected: ProposalsRejected += delta; break;
            case ProposalStatus.Expired: ProposalsExpired += delta; break;
        }
    }
}
