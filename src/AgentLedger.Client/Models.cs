using System.Text.Json;

namespace AgentLedger.Client;

/// <summary>
/// Something a run proposes for people to review. <see cref="Data"/> is serialized like every
/// request (snake_case names) and must become a JSON object.
/// </summary>
/// <param name="Type">What kind of proposal, e.g. <c>match</c>.</param>
/// <param name="Title">A one-line summary for reviewers.</param>
public sealed record Proposal(string Type, string Title)
{
    /// <summary>Why the agent proposes it, in a few sentences.</summary>
    public string? Explanation { get; init; }

    /// <summary>The ids of the records the proposal was made from.</summary>
    public IReadOnlyList<string>? InputsUsed { get; init; }

    /// <summary>Agent-specific details, serialized to a JSON object.</summary>
    public object? Data { get; init; }
}

/// <summary>A run that already ended, reported in one call (also to back-fill history).</summary>
/// <param name="AgentName">The agent; an unknown name registers an external agent.</param>
/// <param name="Status">How the run ended.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="CompletedAt">When it ended; not before <paramref name="StartedAt"/>.</param>
public sealed record FinishedRun(string AgentName, RunOutcome Status, DateTimeOffset StartedAt, DateTimeOffset CompletedAt)
{
    /// <summary>
    /// The execution's id. Leave it null for a new one per call (retries within the call reuse it); set it to
    /// report the same run again later, e.g. after a restart, without recording it twice.
    /// </summary>
    public Guid? Id { get; init; }

    /// <summary>The error's type name when the run did not succeed.</summary>
    public string? ErrorType { get; init; }

    /// <summary>The error's message when the run did not succeed.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>What the run proposed.</summary>
    public IReadOnlyList<Proposal>? Proposals { get; init; }

    /// <summary>Proposals created, when more than <see cref="Proposals"/> holds (the ledger defaults to its count).</summary>
    public int? ProposalsCreated { get; init; }

    /// <summary>How many records the run processed.</summary>
    public long? ResourcesProcessed { get; init; }

    /// <summary>Agent-specific numbers; the ledger sums them in stats.</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>Anything else about the run, serialized to a JSON object of at most 64 KiB.</summary>
    public object? Metadata { get; init; }
}

/// <summary>The final statuses an agent may report.</summary>
public enum RunOutcome
{
    /// <summary>The run did its work.</summary>
    Success,

    /// <summary>The run failed; counted as a failure.</summary>
    Failed,

    /// <summary>The run ran out of time; counted as a failure.</summary>
    Timeout,

    /// <summary>The run was stopped by its host or a user; neither a success nor a failure.</summary>
    Cancelled,
}

/// <summary>An execution's status in the ledger.</summary>
public enum RunStatus
{
    /// <summary>A status this version of the client does not know.</summary>
    Unknown,

    /// <summary>Started and not finished yet.</summary>
    Running,

    /// <summary>Finished successfully.</summary>
    Success,

    /// <summary>Finished with an error.</summary>
    Failed,

    /// <summary>Ran out of time.</summary>
    Timeout,

    /// <summary>Stopped by its host or a user.</summary>
    Cancelled,

    /// <summary>Its process died mid-run; set by the ledger, never reported.</summary>
    Abandoned,
}

/// <summary>One execution as the ledger stores it.</summary>
/// <param name="Id">The execution's id.</param>
/// <param name="AgentName">The agent that ran.</param>
/// <param name="Trigger"><c>schedule</c>, <c>manual</c> or <c>external</c>.</param>
/// <param name="ScheduledFor">The slot of a scheduled run.</param>
/// <param name="Node">The AgentLedger node that ran it; null for reported runs.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="CompletedAt">When it ended; null while running.</param>
/// <param name="DurationMs">How long it took.</param>
/// <param name="Status">Its status.</param>
/// <param name="ErrorType">The error's type name.</param>
/// <param name="ErrorMessage">The error's message.</param>
/// <param name="ProposalsCreated">How many proposals it created.</param>
/// <param name="ResourcesProcessed">How many records it processed.</param>
/// <param name="Metrics">Its agent-specific numbers.</param>
/// <param name="Metadata">Its metadata object.</param>
/// <param name="CpuMs">CPU time of in-process runs.</param>
/// <param name="AllocatedBytes">Allocations of in-process runs.</param>
/// <param name="HeartbeatSeconds">The lease a started run asked for; null without heartbeats.</param>
/// <param name="LastHeartbeatAt">When the ledger last recorded a heartbeat of the run.</param>
public sealed record Execution(
    Guid Id,
    string AgentName,
    string Trigger,
    DateTimeOffset? ScheduledFor,
    string? Node,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    long? DurationMs,
    RunStatus Status,
    string? ErrorType,
    string? ErrorMessage,
    int ProposalsCreated,
    long ResourcesProcessed,
    IReadOnlyDictionary<string, double>? Metrics,
    JsonElement? Metadata,
    long? CpuMs,
    long? AllocatedBytes,
    int? HeartbeatSeconds = null,
    DateTimeOffset? LastHeartbeatAt = null);
