using System.Text.Json;

namespace AgentLedger.Server.Contracts;

/// <summary>
/// <c>POST /api/executions</c>: starts a run (<c>running</c>), or, with a final <c>status</c>,
/// records a finished one in one call (also for back-filling history). With a client-chosen
/// <see cref="Id"/> the report can be retried safely; <see cref="HeartbeatSeconds"/> asks for a lease.
/// </summary>
public sealed record ReportExecutionRequest(
    string? AgentName,
    DateTimeOffset? StartedAt = null,
    string? Trigger = null,
    JsonElement? Metadata = null,
    string? Status = null,
    DateTimeOffset? CompletedAt = null,
    string? ErrorType = null,
    string? ErrorMessage = null,
    IReadOnlyList<ProposalRequest>? Proposals = null,
    long? ProposalsCreated = null,
    long? ResourcesProcessed = null,
    IReadOnlyDictionary<string, double>? Metrics = null,
    Guid? Id = null,
    int? HeartbeatSeconds = null);

/// <summary><c>POST /api/executions/{id}/heartbeat</c>: an empty body, or metadata to merge into the run's.</summary>
public sealed record HeartbeatRequest(JsonElement? Metadata = null);

/// <summary><c>POST /api/executions/{id}/complete</c>.</summary>
public sealed record CompleteExecutionRequest(
    string? Status,
    DateTimeOffset? CompletedAt = null,
    string? ErrorType = null,
    string? ErrorMessage = null,
    IReadOnlyList<ProposalRequest>? Proposals = null,
    long? ProposalsCreated = null,
    long? ResourcesProcessed = null,
    IReadOnlyDictionary<string, double>? Metrics = null,
    JsonElement? Metadata = null);

public sealed record ProposalRequest(
    string? Type,
    string? Title,
    string? Explanation = null,
    IReadOnlyList<string>? InputsUsed = null,
    JsonElement? Data = null);

public sealed record RunAccepted(Guid ExecutionId);
