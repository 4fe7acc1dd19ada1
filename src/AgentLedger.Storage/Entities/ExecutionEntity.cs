namespace AgentLedger.Storage.Entities;

/// <summary>
/// A row of <c>agent_executions</c>. <see cref="Seq"/> is the physical key (SQLite rowid, a
/// PostgreSQL identity): compact, insertion-ordered, and the tie-breaker of cursor paging.
/// </summary>
public sealed class ExecutionEntity
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

    /// <summary>Renewed by the node running an in-process run; a stale one means the node died.</summary>
    public DateTimeOffset? HeartbeatAt { get; set; }
}
