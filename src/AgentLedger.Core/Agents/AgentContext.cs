using System.Text.Json;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Settings;
using Microsoft.Extensions.Logging;

namespace AgentLedger.Core.Agents;

public sealed record AgentContext(
    Guid ExecutionId,
    string AgentName,
    ExecutionTrigger Trigger,
    DateTimeOffset StartedAt,
    AgentSettings Settings,
    TimeProvider TimeProvider,
    ILogger Logger);

/// <summary>What a run produced. Metrics are agent-specific numbers summed in the rollups.</summary>
public sealed record AgentRunResult(
    IReadOnlyList<Proposals.ProposalDraft> Proposals,
    long ResourcesProcessed = 0,
    IReadOnlyDictionary<string, double>? Metrics = null,
    JsonElement? Metadata = null)
{
    public static AgentRunResult Empty { get; } = new([]);
}
