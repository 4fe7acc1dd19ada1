namespace AgentLedger.Storage.Entities;

/// <summary>
/// Sums of one agent's finished executions (by <c>started_at</c>) and proposals (by
/// <c>created_at</c>) in one bucket: an hour, a day, or all time (<see cref="RollupPeriods.All"/>,
/// bucket at the Unix epoch). Updated in the transaction that finalises the execution.
/// </summary>
public sealed class RollupEntity
{
    public required string AgentName { get; set; }
    public required string Period { get; set; }
    public DateTimeOffset BucketStart { get; set; }
    public long SuccessCount { get; set; }
    public long FailedCount { get; set; }
    public long TimeoutCount { get; set; }
    public long CancelledCount { get; set; }
    public long AbandonedCount { get; set; }
    public long ProposalsCreated { get; set; }
    public long ResourcesProcessed { get; set; }
    public long DurationCount { get; set; }
    public double DurationSumMs { get; set; }
    public long DurationMaxMs { get; set; }
    public byte[] DurationHistogram { get; set; } = [];
    public string? MetricSums { get; set; }
    public long ProposalsRecorded { get; set; }
    public long ProposalsApproved { get; set; }
    public long ProposalsRejected { get; set; }
    public long ProposalsExpired { get; set; }
}

public static class RollupPeriods
{
    public const string Hour = "hour";
    public const string Day = "day";
    public const string All = "all";
}
