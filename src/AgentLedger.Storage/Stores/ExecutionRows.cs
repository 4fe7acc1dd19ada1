using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;
using AgentLedger.Storage.Entities;
using AgentLedger.Storage.Rollups;

namespace AgentLedger.Storage.Stores;

/// <summary>
/// An execution row as a start and an outcome make it, with no database involved: the same rules for a run
/// written now, or drafted before its write's turn (an OTLP batch's 512 runs).
/// </summary>
internal static class ExecutionRows
{
    public static readonly string Running = ExecutionStatus.Running.ToWire();

    /// <summary>The row of a new execution, still running.</summary>
    public static ExecutionEntity New(ExecutionStart start) => new()
    {
        Id = start.Id ?? Guid.CreateVersion7(),
        AgentName = start.AgentName,
        Trigger = start.Trigger.ToWire(),
        ScheduledFor = LedgerTime.Normalize(start.ScheduledFor),
        Node = start.Node,
        StartedAt = LedgerTime.Normalize(start.StartedAt),
        // An external run without a lease has no heartbeat to show; with one, its start opens the lease.
        HeartbeatAt = start.Node is not null || start.HeartbeatSeconds is not null ? LedgerTime.Normalize(start.StartedAt) : null,
        HeartbeatSeconds = start.HeartbeatSeconds,
        ReportHash = start.ReportHash,
        RequestedByKey = start.RequestedByKey,
        TraceId = start.TraceId,
        SpanId = start.SpanId,
        ParentExecutionId = start.ParentExecutionId,
        Status = Running,
        Metadata = JsonColumns.Write(start.Metadata),
    };

    /// <summary>Writes the outcome onto the row (counting it is <see cref="CountInto"/>, once the row is written).</summary>
    public static void Finish(ExecutionEntity entity, ExecutionOutcome outcome, bool measureDuration = true)
    {
        var completedAt = LedgerTime.Normalize(outcome.CompletedAt);
        if (completedAt < entity.StartedAt)
        {
            throw ValidationException.For("completed_at", "must not be before started_at");
        }
        entity.Status = outcome.Status.ToWire();
        entity.CompletedAt = completedAt;
        entity.DurationMs = measureDuration ? outcome.DurationMs ?? (long)(completedAt - entity.StartedAt).TotalMilliseconds : null;
        entity.ErrorType = outcome.ErrorType;
        entity.ErrorMessage = outcome.ErrorMessage;
        entity.ProposalsCreated = outcome.ProposalsCreated ?? outcome.Proposals?.Count ?? 0;
        entity.ResourcesProcessed = outcome.ResourcesProcessed;
        entity.Metrics = JsonColumns.WriteMetrics(outcome.Metrics);
        entity.Metadata = JsonColumns.Write(outcome.Metadata) ?? entity.Metadata;
        entity.CpuMs = outcome.CpuMs;
        entity.AllocatedBytes = outcome.AllocatedBytes;
        entity.OverTimeout = outcome.OverTimeout;
        entity.CompletionHash = outcome.CompletionHash;
    }

    /// <summary>
    /// Counts a finished row into <paramref name="rollups"/> (its proposals are the caller's). Only after its write
    /// took: a finalisation that lost to another (a write that catches the conflict and goes on) must count nothing.
    /// </summary>
    public static void CountInto(RollupBatch rollups, ExecutionEntity entity, ExecutionOutcome outcome) =>
        rollups.AddRun(entity.AgentName, entity.StartedAt, outcome.Status, entity.DurationMs, entity.ProposalsCreated, entity.ResourcesProcessed, outcome.Metrics);
}
