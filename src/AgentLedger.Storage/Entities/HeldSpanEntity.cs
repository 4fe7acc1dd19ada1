namespace AgentLedger.Storage.Entities;

/// <summary>
/// A row of <c>otlp_held_spans</c>: a non-agent span whose agent span has not arrived yet, kept (durably, so an
/// acknowledged batch is never lost) until it is folded into that run or expires as an orphan.
/// </summary>
public sealed class HeldSpanEntity
{
    public required string TraceId { get; set; }
    public required string SpanId { get; set; }
    public string? ParentSpanId { get; set; }
    public required string Role { get; set; }
    public string? Figures { get; set; }
    public string? Model { get; set; }
    public string? Provider { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}
