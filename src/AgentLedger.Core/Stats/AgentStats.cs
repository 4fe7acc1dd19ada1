using System.Text.Json.Serialization;

namespace AgentLedger.Core.Stats;

/// <summary>The stats object of the HTTP contract; every member is always present (null or 0 without data).</summary>
public sealed record AgentStats(
    string AgentName,
    bool Enabled,
    DateTimeOffset? LastRun,
    string? LastStatus,
    long? LastDurationMs,
    DateTimeOffset? LastSuccessAt,
    string? LastError,
    string? LastErrorType,
    DateTimeOffset? LastErrorAt,
    long ConsecutiveFailures,
    [property: JsonPropertyName("proposals_created_30d")] long ProposalsCreated30d,
    [property: JsonPropertyName("success_count_30d")] long SuccessCount30d,
    [property: JsonPropertyName("failure_count_30d")] long FailureCount30d,
    long TotalRuns,
    long ProposalsCreated,
    long ErrorCount,
    double? AvgDurationSeconds,
    string Health,
    string HealthReason,
    WindowStats Window)
{
    /// <summary>With <c>?compare=previous</c>: the same window one period earlier.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WindowStats? Previous { get; init; }

    /// <summary>With <c>?compare=previous</c>: current minus previous.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WindowDeltas? Deltas { get; init; }

    /// <summary>On one agent's stats: what people did with its proposals, and what they cost.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OutcomeStats? Outcomes { get; init; }
}

public sealed record WindowDeltas(long Runs, double? SuccessRate, double? P95DurationMs, long ProposalsCreated, double? ApprovalRate);

/// <summary>
/// Review latency of proposals created in the window and decided (created → decided), the share
/// that expired unreviewed, and, where runs report <c>cost</c> / <c>tokens</c> metrics, their
/// amount per approved proposal.
/// </summary>
public sealed record OutcomeStats(
    long ProposalsCreated,
    long ProposalsDecided,
    double? ReviewLatencySecondsP50,
    double? ReviewLatencySecondsP95,
    double? ExpiredUnreviewedShare,
    double? CostPerApprovedProposal,
    double? TokensPerApprovedProposal);

public sealed record WindowStats(
    string Name,
    DateTimeOffset From,
    DateTimeOffset To,
    long Runs,
    long SuccessCount,
    long FailureCount,
    long RunningCount,
    long CancelledCount,
    double? SuccessRate,
    long ProposalsCreated,
    long ResourcesProcessed,
    DurationStats DurationMs,
    long ProposalsApproved,
    long ProposalsRejected,
    long ProposalsPending,
    long ProposalsExpired,
    long ProposalsDecided,
    double? ApprovalRate,
    double? RejectionRate,
    IReadOnlyDictionary<string, double> Metrics);

public sealed record DurationStats(double? Avg, double? P50, double? P95, double? P99, long? Max);
