namespace AgentLedger.Storage.Entities;

/// <summary>
/// A row of <c>agent_executions</c>. <see cref="ExecutionRow.Seq"/> is the physical key (SQLite rowid, a
/// PostgreSQL identity): compact, insertion-ordered, and the tie-breaker of cursor paging.
/// </summary>
public sealed class ExecutionEntity : ExecutionRow
{
}

/// <summary>An execution moved out of <c>agent_executions</c> by retention; its rollups stay, so history keeps working.</summary>
public sealed class ArchivedExecutionEntity : ExecutionRow
{
    public DateTimeOffset ArchivedAt { get; set; }

    public static ArchivedExecutionEntity From(ExecutionEntity row, DateTimeOffset archivedAt) => new()
    {
        Seq = row.Seq,
        Id = row.Id,
        AgentName = row.AgentName,
        Trigger = row.Trigger,
        ScheduledFor = row.ScheduledFor,
        Node = row.Node,
        StartedAt = row.StartedAt,
        CompletedAt = row.CompletedAt,
        DurationMs = row.DurationMs,
        Status = row.Status,
        ErrorType = row.ErrorType,
        ErrorMessage = row.ErrorMessage,
        ProposalsCreated = row.ProposalsCreated,
        ResourcesProcessed = row.ResourcesProcessed,
        Metrics = row.Metrics,
        Metadata = row.Metadata,
        CpuMs = row.CpuMs,
        AllocatedBytes = row.AllocatedBytes,
        HeartbeatAt = row.HeartbeatAt,
        HeartbeatSeconds = row.HeartbeatSeconds,
        OverTimeout = row.OverTimeout,
        ReportHash = row.ReportHash,
        CompletionHash = row.CompletionHash,
        RequestedByKey = row.RequestedByKey,
        TraceId = row.TraceId,
        SpanId = row.SpanId,
        ParentExecutionId = row.ParentExecutionId,
        ArchivedAt = archivedAt,
    };
}

/// <summary>The columns of an execution, live or archived.</summary>
public abstract class ExecutionRow
{
    public long Seq { get; set; }
    public Guid Id { get; set; }
    public required string AgentName { get; set; }
    public required string Trigger { get; set; }
    public DateTimeOffset? ScheduledFor { get; set; }
    public string? Node { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public long? DurationMs { get; set; }
    public required string Status { get; set; }
    public string? ErrorType { get; set; }
    public string? ErrorMessage { get; set; }
    public int ProposalsCreated { get; set; }
    public long ResourcesProcessed { get; set; }
    public string? Metrics { get; set; }
    public string? Metadata { get; set; }
    public long? CpuMs { get; set; }
    public long? AllocatedBytes { get; set; }

    /// <summary>
    /// Renewed by the node running an in-process run (a stale one means the node died), or by an external
    /// agent's heartbeats when it holds a lease; null for an external run without one.
    /// </summary>
    public DateTimeOffset? HeartbeatAt { get; set; }

    /// <summary>The lease an external run asked for: it is abandoned when silent for twice this.</summary>
    public int? HeartbeatSeconds { get; set; }

    /// <summary>The reported duration exceeded the agent's timeout; stored as reported, not relabelled.</summary>
    public bool OverTimeout { get; set; }

    /// <summary>SHA-256 of the canonical report that created the row (external reports with a client-chosen id): a retry is recognised, a different body refused.</summary>
    public string? ReportHash { get; set; }

    /// <summary>SHA-256 of the canonical completion that finalised the row over HTTP, so its retry is answered, not refused.</summary>
    public string? CompletionHash { get; set; }

    /// <summary>The name of the key whose <c>POST …/run</c> started the run; null for scheduled and reported runs.</summary>
    public string? RequestedByKey { get; set; }

    /// <summary>The OpenTelemetry trace of a run recorded from OTLP (32 lower-case hex digits).</summary>
    public string? TraceId { get; set; }

    /// <summary>The agent span the run was recorded from (16 lower-case hex digits).</summary>
    public string? SpanId { get; set; }

    /// <summary>The run of the nearest enclosing agent span, for a nested agent.</summary>
    public Guid? ParentExecutionId { get; set; }
}
