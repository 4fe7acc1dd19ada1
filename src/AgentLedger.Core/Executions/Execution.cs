using System.Text.Json;
using System.Text.Json.Serialization;
using AgentLedger.Core.Proposals;

namespace AgentLedger.Core.Executions;

/// <summary>One row of the ledger, as read back.</summary>
public sealed record Execution(
    Guid Id,
    string AgentName,
    ExecutionTrigger Trigger,
    DateTimeOffset? ScheduledFor,
    string? Node,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    long? DurationMs,
    ExecutionStatus Status,
    string? ErrorType,
    string? ErrorMessage,
    int ProposalsCreated,
    long ResourcesProcessed,
    IReadOnlyDictionary<string, double> Metrics,
    JsonElement? Metadata,
    long? CpuMs,
    long? AllocatedBytes,
    int? HeartbeatSeconds = null,
    DateTimeOffset? LastHeartbeatAt = null,
    bool OverTimeout = false,
    [property: JsonIgnore] string? ReportHash = null,
    [property: JsonIgnore] string? CompletionHash = null,
    string? RequestedByKey = null,
    string? TraceId = null,
    string? SpanId = null,
    Guid? ParentExecutionId = null)
{
    /// <summary>When an external run with a lease is abandoned unless it beats again: two missed beats after the last one (or the start).</summary>
    public DateTimeOffset? LeaseExpiresAt() =>
        Status == ExecutionStatus.Running ? LeaseExpiry(StartedAt, LastHeartbeatAt, HeartbeatSeconds) : null;

    /// <summary>The lease rule itself, for whoever holds only these three facts of an open run.</summary>
    public static DateTimeOffset? LeaseExpiry(DateTimeOffset startedAt, DateTimeOffset? lastHeartbeatAt, int? heartbeatSeconds) =>
        heartbeatSeconds is { } seconds ? (lastHeartbeatAt ?? startedAt) + 2 * TimeSpan.FromSeconds(seconds) : null;
}

/// <summary>What is known when a run begins; written as a <c>running</c> row before any work.</summary>
public sealed record ExecutionStart(
    string AgentName,
    ExecutionTrigger Trigger,
    DateTimeOffset StartedAt,
    DateTimeOffset? ScheduledFor = null,
    string? Node = null,
    JsonElement? Metadata = null,
    Guid? Id = null,
    int? HeartbeatSeconds = null,
    string? ReportHash = null,
    string? RequestedByKey = null,
    Access.AuditEntry? Audit = null,
    string? TraceId = null,
    string? SpanId = null,
    Guid? ParentExecutionId = null,
    string? DisplayName = null);

/// <summary>How a run ended. <see cref="DurationMs"/> null means "completed_at - started_at".</summary>
public sealed record ExecutionOutcome(
    ExecutionStatus Status,
    DateTimeOffset CompletedAt,
    long? DurationMs = null,
    string? ErrorType = null,
    string? ErrorMessage = null,
    IReadOnlyList<ProposalDraft>? Proposals = null,
    int? ProposalsCreated = null,
    long ResourcesProcessed = 0,
    IReadOnlyDictionary<string, double>? Metrics = null,
    JsonElement? Metadata = null,
    long? CpuMs = null,
    long? AllocatedBytes = null,
    bool OverTimeout = false,
    string? CompletionHash = null);

public sealed record ExecutionFilter(
    ExecutionStatus? Status = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Limit = 50,
    string? Cursor = null,
    string? TraceId = null);
