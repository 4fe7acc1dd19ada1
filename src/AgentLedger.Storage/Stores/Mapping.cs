using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;
using AgentLedger.Storage.Entities;

namespace AgentLedger.Storage.Stores;

internal static class Mapping
{
    public static Execution ToModel(this ExecutionRow e) => e.ToModel(JsonColumns.ReadMetrics(e.Metrics), JsonColumns.ReadElement(e.Metadata));

    /// <summary>A row whose metrics and metadata the caller holds already (a row it has just built), without parsing them back.</summary>
    public static Execution ToModel(this ExecutionRow e, IReadOnlyDictionary<string, double> metrics, System.Text.Json.JsonElement? metadata)
    {
        ExecutionStatuses.TryParse(e.Status, out var status);
        ExecutionStatuses.TryParseTrigger(e.Trigger, out var trigger);
        return new Execution(
            e.Id, e.AgentName, trigger, e.ScheduledFor, e.Node, e.StartedAt, e.CompletedAt, e.DurationMs, status,
            e.ErrorType, e.ErrorMessage, e.ProposalsCreated, e.ResourcesProcessed,
            metrics, metadata, e.CpuMs, e.AllocatedBytes,
            e.HeartbeatSeconds, e.HeartbeatAt, e.OverTimeout, e.ReportHash, e.CompletionHash, e.RequestedByKey, e.TraceId, e.SpanId, e.ParentExecutionId);
    }

    public static Proposal ToModel(this ProposalEntity p)
    {
        ProposalStatuses.TryParse(p.Status, out var status);
        return new Proposal(
            p.Id, p.ExecutionId, p.AgentName, p.Type, p.Title, p.Explanation, JsonColumns.ReadStrings(p.InputsUsed),
            JsonColumns.ReadElement(p.Data), status, p.CreatedAt, p.ExpiresAt, p.DecidedAt, p.DecidedBy, p.DecisionReason, p.DecidedByKey);
    }
}
