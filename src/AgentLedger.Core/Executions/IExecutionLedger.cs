using AgentLedger.Core.Common;

namespace AgentLedger.Core.Executions;

/// <summary>
/// The durable record of executions. Every write is one transaction: the execution row, its
/// proposals and its rollups change together or not at all.
/// </summary>
public interface IExecutionLedger
{
    /// <summary>Inserts a <c>running</c> row (registering an unknown external agent) and commits before returning.</summary>
    Task<Execution> StartAsync(ExecutionStart start, CancellationToken cancellationToken);

    /// <summary>Finalises a running execution. Throws <see cref="NotFoundException"/> or <see cref="ConflictException"/> when already final.</summary>
    Task<Execution> CompleteAsync(Guid id, ExecutionOutcome outcome, CancellationToken cancellationToken);

    /// <summary>Records a run that already finished, in one transaction (external reports, back-fill).</summary>
    Task<Execution> RecordAsync(ExecutionStart start, ExecutionOutcome outcome, CancellationToken cancellationToken);

    /// <summary>
    /// Records the agent runs a batch of trace spans completes, through the same write as <see cref="RecordAsync"/>,
    /// all in one transaction: runs already recorded (their ids derive from their span) are skipped, children whose
    /// agent span has not arrived are held durably and folded in when it does, and held spans older than
    /// <paramref name="orphansExpireBefore"/> are dropped (counted in the result).
    /// </summary>
    Task<Traces.SpanBatchResult> RecordSpansAsync(IReadOnlyList<Traces.LedgerSpan> spans, DateTimeOffset now, DateTimeOffset orphansExpireBefore, CancellationToken cancellationToken);

    /// <summary>Drops held spans received before <paramref name="before"/> whose agent span never came; returns how many.</summary>
    Task<int> ExpireHeldSpansAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>Marks the in-process runs of <paramref name="node"/> that are still <c>running</c> as abandoned.</summary>
    Task<IReadOnlyList<Guid>> AbandonRunningAsync(string node, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Marks in-process runs of any node whose last heartbeat is older than <paramref name="staleBefore"/> as abandoned.</summary>
    Task<IReadOnlyList<Guid>> AbandonStaleAsync(DateTimeOffset staleBefore, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Marks these runs (in-process or external) abandoned if they are still running: the stuck-run sweeper.</summary>
    Task<IReadOnlyList<Guid>> AbandonOverdueAsync(IReadOnlyCollection<Guid> executionIds, string reason, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Renews the lease of an open external run, merging <paramref name="metadata"/> (top-level keys) into its
    /// metadata. Throws <see cref="NotFoundException"/>, or <see cref="ConflictException"/> when the run is final.
    /// </summary>
    Task<Execution> BeatAsync(Guid id, System.Text.Json.JsonElement? metadata, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Marks these external runs abandoned if they are still running and their lease (2 × heartbeat_seconds) has lapsed at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<Guid>> AbandonLapsedAsync(IReadOnlyCollection<Guid> executionIds, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records that this node is still working on these runs.</summary>
    Task HeartbeatAsync(IReadOnlyCollection<Guid> executionIds, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The newest <c>scheduled_for</c> of each agent's scheduled runs (agents never scheduled are absent).</summary>
    Task<IReadOnlyDictionary<string, DateTimeOffset>> LastScheduledAsync(IReadOnlyCollection<string> agents, CancellationToken cancellationToken);

    Task<Execution?> FindAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Newest first by <c>started_at</c>, then id; the cursor is opaque to callers.</summary>
    Task<Page<Execution>> ListAsync(string agentName, ExecutionFilter filter, CancellationToken cancellationToken);
}
