using System.Text.Json;
using AgentLedger.Core.Common;

namespace AgentLedger.Core.Proposals;

public enum ProposalStatus
{
    Pending,
    Approved,
    Rejected,
    Expired,
}

/// <summary>A proposal as an agent (or an external report) hands it over, before it is stored.</summary>
public sealed record ProposalDraft(
    string Type,
    string Title,
    string? Explanation = null,
    IReadOnlyList<string>? InputsUsed = null,
    JsonElement? Data = null,
    DateTimeOffset? ExpiresAt = null);

public sealed record Proposal(
    Guid Id,
    Guid ExecutionId,
    string AgentName,
    string Type,
    string Title,
    string? Explanation,
    IReadOnlyList<string> InputsUsed,
    JsonElement? Data,
    ProposalStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? DecidedAt,
    string? DecidedBy,
    string? DecisionReason,
    string? DecidedByKey = null);

public sealed record ProposalFilter(
    string? AgentName = null,
    ProposalStatus? Status = null,
    Guid? ExecutionId = null,
    int Limit = 50,
    string? Cursor = null);

public static class ProposalStatuses
{
    public static string ToWire(this ProposalStatus status) => WireNames<ProposalStatus>.Of(status);

    public static bool TryParse(string? text, out ProposalStatus status) => WireNames<ProposalStatus>.TryParse(text, out status);
}
