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

    public static string ToWire(this ExecutionStatus status) => status switch
    {
        ExecutionStatus.Running => "running",
        ExecutionStatus.Success => "success",
        ExecutionStatus.Failed => "failed",
        ExecutionStatus.Timeout => "timeout",
        ExecutionStatus.Cancelled => "cancelled",
        ExecutionStatus.Abandoned => "abandoned",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParse(string? text, out ExecutionStatus status)
    {
        foreach (var candidate in Enum.GetValues<ExecutionStatus>())
        {
            if (candidate.ToWire() == text)
            {
                status = candidate;
                return true;
            }
        }
        status = default;
        return false;
    }

    public static string ToWire(this ExecutionTrigger trigger) => trigger switch
    {
        ExecutionTrigger.Schedule => "schedule",
        ExecutionTrigger.Manual => "manual",
        ExecutionTrigger.External => "external",
        _ => throw new ArgumentOutOfRangeException(nameof(trigger)),
    };

    public static bool TryParse(string? text, out ExecutionTrigger trigger)
    {
        foreach (var candidate in Enum.GetValues<ExecutionTrigger>())
        {
            if (candidate.ToWire() == text)
            {
                trigger = candidate;
                return true;
            }
        }
        trigger = default;
        return false;
    }
}
