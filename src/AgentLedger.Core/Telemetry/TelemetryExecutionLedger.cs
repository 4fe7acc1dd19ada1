using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;

namespace AgentLedger.Core.Telemetry;

/// <summary>The ledger, counting into the metrics exactly the runs it has durably recorded.</summary>
public sealed class TelemetryExecutionLedger(IExecutionLedger inner, LedgerTelemetry telemetry) : IExecutionLedger
{
    public Task<Execution> StartAsync(ExecutionStart start, CancellationToken cancellationToken) => inner.StartAsync(start, cancellationToken);

    public async Task<Execution> CompleteAsync(Guid id, ExecutionOutcome outcome, CancellationToken cancellationToken) =>
        Counted(await inner.CompleteAsync(id, outcome, cancellationToken));

    public async Task<Execution> RecordAsync(ExecutionStart start, ExecutionOutcome outcome, CancellationToken cancellationToken) =>
        Counted(await inner.RecordAsync(start, outcome, cancellationToken));

    public async Task<Traces.SpanBatchResult> RecordSpansAsync(IReadOnlyList<Traces.LedgerSpan> spans, DateTimeOffset now, DateTimeOffset orphansExpireBefore, CancellationToken cancellationToken)
    {
        var result = await inner.RecordSpansAsync(spans, now, orphansExpireBefore, cancellationToken);
        foreach (var execution in result.Recorded)
        {
            Counted(execution);
        }
        telemetry.OrphanSpansDropped(result.ExpiredOrphans);
        return result;
    }

    public async Task<int> ExpireHeldSpansAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var dropped = await inner.ExpireHeldSpansAsync(before, cancellationToken);
        telemetry.OrphanSpansDropped(dropped);
        return dropped;
    }

    public async Task<IReadOnlyList<Guid>> AbandonRunningAsync(string node, DateTimeOffset now, CancellationToken cancellationToken) =>
        await CountedAsync(await inner.AbandonRunningAsync(node, now, cancellationToken), cancellationToken);

    public async Task<IReadOnlyList<Guid>> AbandonStaleAsync(DateTimeOffset staleBefore, DateTimeOffset now, CancellationToken cancellationToken) =>
        await CountedAsync(await inner.AbandonStaleAsync(staleBefore, now, cancellationToken), cancellationToken);

    public async Task<IReadOnlyList<Guid>> AbandonOverdueAsync(IReadOnlyCollection<Guid> executionIds, string reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        await CountedAsync(await inner.AbandonOverdueAsync(executionIds, reason, now, cancellationToken), cancellationToken);

    public Task<Execution> BeatAsync(Guid id, System.Text.Json.JsonElement? metadata, DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.BeatAsync(id, metadata, now, cancellationToken);

    public async Task<IReadOnlyList<Guid>> AbandonLapsedAsync(IReadOnlyCollection<Guid> executionIds, DateTimeOffset now, CancellationToken cancellationToken) =>
        await CountedAsync(await inner.AbandonLapsedAsync(executionIds, now, cancellationToken), cancellationToken);

    public Task HeartbeatAsync(IReadOnlyCollection<Guid> executionIds, DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.HeartbeatAsync(executionIds, now, cancellationToken);

    public Task<IReadOnlyDictionary<string, DateTimeOffset>> LastScheduledAsync(IReadOnlyCollection<string> agents, CancellationToken cancellationToken) =>
        inner.LastScheduledAsync(agents, cancellationToken);

    public Task<Execution?> FindAsync(Guid id, CancellationToken cancellationToken) => inner.FindAsync(id, cancellationToken);

    public Task<Page<Execution>> ListAsync(string agentName, ExecutionFilter filter, CancellationToken cancellationToken) =>
        inner.ListAsync(agentName, filter, cancellationToken);

    private Execution Counted(Execution execution)
    {
        telemetry.RunFinished(execution);
        return execution;
    }

    private async Task<IReadOnlyList<Guid>> CountedAsync(IReadOnlyList<Guid> abandoned, CancellationToken cancellationToken)
    {
        foreach (var id in abandoned)
        {
            if (await inner.FindAsync(id, cancellationToken) is { } execution)
            {
                telemetry.RunFinished(execution);
            }
        }
        return abandoned;
    }
}
