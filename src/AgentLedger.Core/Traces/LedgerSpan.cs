using AgentLedger.Core.Executions;

namespace AgentLedger.Core.Traces;

/// <summary>What a span is to the ledger: a run of its own, or a part of its nearest agent ancestor's run.</summary>
public enum SpanRole
{
    Agent,
    Tool,
    Model,
    Other,
}

/// <summary>
/// One trace span reduced to what the ledger keeps of it. Ids are lower-case hex. <see cref="Figures"/> are the
/// numbers the span itself carries (tokens, cost); <see cref="Run"/> is set on agent spans only. An agent span with a
/// <see cref="Refusal"/> (unreadable, or its agent refused or disabled) is not recorded, nor is any part of its run.
/// </summary>
public sealed record LedgerSpan(
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    SpanRole Role,
    IReadOnlyDictionary<string, double> Figures,
    string? Model = null,
    string? Provider = null,
    AgentSpanRun? Run = null,
    DateTimeOffset? ReceivedAt = null,
    string? Refusal = null)
{
    public (string, string) Key => (TraceId, SpanId);
}

/// <summary>
/// An agent span as a finished run, before its descendants are folded in: <see cref="Metadata"/> becomes the
/// run's metadata object once the model and provider of its children are known.
/// </summary>
public sealed record AgentSpanRun(
    ExecutionStart Start,
    ExecutionOutcome Outcome,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>The runs a batch of spans adds, and what it changes among the spans held for their agent span.</summary>
public sealed record TracePlan(
    IReadOnlyList<(ExecutionStart Start, ExecutionOutcome Outcome)> Runs,
    IReadOnlyList<LedgerSpan> Hold,
    IReadOnlyList<(string TraceId, string SpanId)> Release,
    int DuplicateSpans,
    int RefusedSpans);

/// <summary>What recording one batch of spans did, committed as one transaction.</summary>
public sealed record SpanBatchResult(
    IReadOnlyList<Execution> Recorded,
    int DuplicateSpans,
    int HeldSpans,
    int RefusedSpans,
    int ExpiredOrphans);
