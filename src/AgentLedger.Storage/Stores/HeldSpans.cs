using AgentLedger.Core.Traces;
using AgentLedger.Storage.Entities;

namespace AgentLedger.Storage.Stores;

internal static class HeldSpans
{
    public static LedgerSpan ToModel(HeldSpanEntity row) =>
        new(row.TraceId, row.SpanId, row.ParentSpanId, Enum.TryParse<SpanRole>(row.Role, out var role) ? role : SpanRole.Other,
            JsonColumns.ReadMetrics(row.Figures), row.Model, row.Provider, ReceivedAt: row.ReceivedAt);

    public static HeldSpanEntity ToEntity(LedgerSpan span, DateTimeOffset receivedAt) => new()
    {
        TraceId = span.TraceId,
        SpanId = span.SpanId,
        ParentSpanId = span.ParentSpanId,
        Role = span.Role.ToString(),
        Figures = span.Figures.Count == 0 ? null : JsonColumns.WriteMetrics(span.Figures),
        Model = span.Model,
        Provider = span.Provider,
        ReceivedAt = receivedAt,
    };
}
