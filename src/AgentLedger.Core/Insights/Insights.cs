using AgentLedger.Core.Executions;

namespace AgentLedger.Core.Insights;

/// <summary>One failure as read from the ledger, for grouping.</summary>
public sealed record FailureRow(ExecutionStatus Status, string? ErrorType, string? ErrorMessage, DateTimeOffset StartedAt, DateTimeOffset? CompletedAt);

/// <summary>An open run; <see cref="HeartbeatSeconds"/> is set for an external run holding a heartbeat lease.</summary>
public sealed record RunningRow(Guid Id, string AgentName, DateTimeOffset StartedAt, int? HeartbeatSeconds = null, DateTimeOffset? HeartbeatAt = null);

/// <summary>A decided or expired proposal, for review latency and outcome economics.</summary>
public sealed record DecisionRow(Proposals.ProposalStatus Status, DateTimeOffset CreatedAt, DateTimeOffset? DecidedAt);

public sealed record ErrorGroup(
    string Fingerprint,
    string? ErrorType,
    string SampleMessage,
    string NormalizedMessage,
    long Count,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    double ShareOfFailures);

/// <summary>Reads the raw rows that insights need; failures and decisions are few next to runs.</summary>
public interface IInsightsSource
{
    /// <summary>Failed, timed-out and abandoned executions started in [from, to), live or archived.</summary>
    Task<IReadOnlyList<FailureRow>> FailuresAsync(string agent, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The start of each agent's oldest run still in progress.</summary>
    Task<IReadOnlyDictionary<string, DateTimeOffset>> OldestRunningAsync(IReadOnlyCollection<string> agents, CancellationToken cancellationToken);

    /// <summary>Every execution still running (a handful: one per agent and node, plus external ones).</summary>
    Task<IReadOnlyList<RunningRow>> RunningAsync(CancellationToken cancellationToken);

    /// <summary>Proposals created in [from, to) that were approved, rejected or expired.</summary>
    Task<IReadOnlyList<DecisionRow>> DecisionsAsync(string agent, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}

public static class ErrorGroups
{
    public static IReadOnlyList<ErrorGroup> Of(IReadOnlyList<FailureRow> failures) =>
        failures
            .GroupBy(f => ErrorFingerprint.Of(f.ErrorType ?? f.Status.ToWire(), f.ErrorMessage))
            .Select(g =>
            {
                var newest = g.MaxBy(f => f.StartedAt)!;
                return new ErrorGroup(
                    g.Key,
                    newest.ErrorType ?? newest.Status.ToWire(),
                    newest.ErrorMessage ?? "",
                    ErrorFingerprint.Normalize(newest.ErrorMessage),
                    g.LongCount(),
                    g.Min(f => f.CompletedAt ?? f.StartedAt),
                    g.Max(f => f.CompletedAt ?? f.StartedAt),
                    (double)g.LongCount() / failures.Count);
            })
            .OrderByDescending(g => g.LastSeen)
            .ToList();
}
