using AgentLedger.Core.Common;

namespace AgentLedger.Core.Executions;

public enum ExecutionStatus
{
    Running,
    Success,
    Failed,
    Timeout,
    Cancelled,
    Abandoned,
}

public enum ExecutionTrigger
{
    Schedule,
    Manual,
    External,
}

/// <summary>The wire names (lower case) and the rules that group statuses.</summary>
public static class ExecutionStatuses
{
    public static readonly IReadOnlyList<ExecutionStatus> Final =
        [ExecutionStatus.Success, ExecutionStatus.Failed, ExecutionStatus.Timeout, ExecutionStatus.Cancelled, ExecutionStatus.Abandoned];

    /// <summary>What an external agent may report: abandoned is only set by recovery.</summary>
    public static readonly IReadOnlyList<ExecutionStatus> Reportable =
        [ExecutionStatus.Success, ExecutionStatus.Failed, ExecutionStatus.Timeout, ExecutionStatus.Cancelled];

    /// <summary>Cancelled runs are not failures: the host or a user stopped them, the agent did nothing wrong.</summary>
    public static bool IsFailure(this ExecutionStatus status) =>
        status is ExecutionStatus.Failed or ExecutionStatus.Timeout or ExecutionStatus.Abandoned;

    public static string ToWire(this ExecutionStatus status) => WireNames<ExecutionStatus>.Of(status);

    public static bool TryParse(string? text, out ExecutionStatus status) => WireNames<ExecutionStatus>.TryParse(text, out status);

    public static string ToWire(this ExecutionTrigger trigger) => WireNames<ExecutionTrigger>.Of(trigger);

    public static bool TryParseTrigger(string? text, out ExecutionTrigger trigger) => WireNames<ExecutionTrigger>.TryParse(text, out trigger);
}
