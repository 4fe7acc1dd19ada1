using System.Text;
using System.Text.Json;
using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;

namespace AgentLedger.Server.Contracts;

/// <summary>
/// The validation of reported runs from the contract. Everything is checked before anything is
/// written, and every problem is reported at once: the body's shape errors (<see cref="JsonBody{T}"/>:
/// unknown fields, wrong types) come in with <paramref name="shapeErrors"/>, and a field already
/// refused for its shape is not judged again by the rules.
/// </summary>
public sealed class ExecutionReportRules(DateTimeOffset now, IReadOnlyDictionary<string, string[]>? shapeErrors = null)
{
    public const int MaxMetadataBytes = 64 * 1024;
    public const int MaxErrorMessageLength = 32 * 1024;
    public const int MaxShortTextLength = 512;
    public const int MaxExplanationLength = 8 * 1024;
    public const int MaxProposals = 1000;
    public const int MinHeartbeatSeconds = 5;
    public const int MaxHeartbeatSeconds = 3600;
    private static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, List<string>> _errors = (shapeErrors ?? new Dictionary<string, string[]>()).ToDictionary(p => p.Key, p => p.Value.ToList());

    public (ExecutionStart Start, ExecutionOutcome? Outcome) Check(ReportExecutionRequest? request)
    {
        request = Required(request);
        if (!AgentNames.IsValid(request.AgentName))
        {
            Add("agent_name", request.AgentName is null ? "is required" : AgentNames.Rule);
        }
        var trigger = ExecutionTrigger.External;
        if (request.Trigger is not null && !ExecutionStatuses.TryParseTrigger(request.Trigger, out trigger))
        {
            Add("trigger", "must be one of schedule, manual, external");
        }
        var startedAt = request.StartedAt ?? now;
        NotInFuture("started_at", startedAt);
        CheckMetadata(request.Metadata);
        if (request.Id == Guid.Empty)
        {
            Add("id", "must not be the nil UUID; choose a random one (e.g. uuid4) per run");
        }
        if (request.HeartbeatSeconds is { } beat)
        {
            if (beat is < MinHeartbeatSeconds or > MaxHeartbeatSeconds)
            {
                Add("heartbeat_seconds", $"must be a whole number of seconds from {MinHeartbeatSeconds} to {MaxHeartbeatSeconds}");
            }
            if (request.Status is not (null or "running"))
            {
                Add("heartbeat_seconds", "applies only to a run reported as started (no final status): a finished run has nothing to keep alive");
            }
        }

        var hasResult = request.CompletedAt is not null || request.ErrorType is not null || request.ErrorMessage is not null
            || request.Proposals is not null || request.ProposalsCreated is not null || request.ResourcesProcessed is not null || request.Metrics is not null;
        ExecutionOutcome? outcome = null;
        if (request.Status is null or "running")
        {
            if (hasResult)
            {
                Add("status", "a final status (success, failed, timeout, cancelled) is required with completed_at or any result field");
            }
        }
        else
        {
            outcome = Outcome(request.Status, request.CompletedAt, startedAt, request.ErrorType, request.ErrorMessage,
                request.Proposals, request.ProposalsCreated, request.ResourcesProcessed, request.Metrics, null);
        }
        ThrowIfInvalid();
        var start = new ExecutionStart(request.AgentName!, trigger, startedAt, Metadata: request.Metadata, Id: request.Id, HeartbeatSeconds: request.HeartbeatSeconds);
        return (start, outcome);
    }

    public void Check(HeartbeatRequest? request)
    {
        CheckMetadata(request?.Metadata);
        ThrowIfInvalid();
    }

    public ExecutionOutcome Check(CompleteExecutionRequest? request, DateTimeOffset startedAt)
    {
        request = Required(request);
        CheckMetadata(request.Metadata);
        var outcome = Outcome(request.Status, request.CompletedAt, startedAt, request.ErrorType, request.ErrorMessage,
            request.Proposals, request.ProposalsCreated, request.ResourcesProcessed, request.Metrics, request.Metadata);
        ThrowIfInvalid();
        return outcome;
    }

    private ExecutionOutcome Outcome(
        string? statusText, DateTimeOffset? completedAtIn, DateTimeOffset startedAt, string? errorType, string? errorMessage,
        IReadOnlyList<ProposalRequest>? proposals, long? proposalsCreated, long? resourcesProcessed,
        IReadOnlyDictionary<string, double>? metrics, JsonElement? metadata)
    {
        if (!ExecutionStatuses.TryParse(statusText, out var status) || !ExecutionStatuses.Reportable.Contains(status))
        {
            Add("status", statusText is null ? "is required" : "must be one of success, failed, timeout, cancelled");
        }
        var completedAt = completedAtIn ?? now;
        NotInFuture("completed_at", completedAt);
        if (LedgerTime.Normalize(completedAt) < LedgerTime.Normalize(startedAt))
        {
            Add("completed_at", "must not be before started_at");
        }
        Text("error_type", errorType, MaxShortTextLength);
        Text("error_message", errorMessage, MaxErrorMessageLength);

        var drafts = new List<ProposalDraft>();
        if (proposals is { Count: > 0 } && ExecutionStatuses.Reportable.Contains(status) && status != ExecutionStatus.Success)
        {
            Add("proposals", $"only a successful run (status success) creates proposals; this one is {statusText}");
        }
        if (proposals is { Count: > MaxProposals })
        {
            Add("proposals", $"at most {MaxProposals} proposals per run");
        }
        for (var i = 0; proposals is not null && i < proposals.Count; i++)
        {
            var draft = Proposal($"proposals[{i}]", proposals[i]);
            if (draft is not null)
            {
                drafts.Add(draft);
            }
        }
        var count = proposals?.Count ?? 0;
        if (proposalsCreated is { } created && (created < count || created > int.MaxValue))
        {
            Add("proposals_created", created < count
                ? $"must not be smaller than the number of proposals sent ({count})"
                : $"must be at most {int.MaxValue}");
        }
        if (resourcesProcessed is < 0)
        {
            Add("resources_processed", "must not be negative");
        }
        foreach (var (name, value) in metrics ?? new Dictionary<string, double>())
        {
            if (!double.IsFinite(value))
            {
                Add($"metrics.{name}", "must be a finite number");
            }
            if (name.Length is 0 or > MaxShortTextLength)
            {
                Add("metrics", $"metric names must be 1 to {MaxShortTextLength} characters");
            }
        }
        return new ExecutionOutcome(
            status,
            completedAt,
            ErrorType: errorType,
            ErrorMessage: errorMessage,
            Proposals: drafts,
            ProposalsCreated: (int?)proposalsCreated,
            ResourcesProcessed: resourcesProcessed ?? 0,
            Metrics: metrics,
            Metadata: metadata);
    }

    private ProposalDraft? Proposal(string path, ProposalRequest? proposal)
    {
        if (proposal is null)
        {
            Add(path, "must be an object");
            return null;
        }
        if (string.IsNullOrWhiteSpace(proposal.Type))
        {
            Add($"{path}.type", "must be a non-empty string");
        }
        if (string.IsNullOrWhiteSpace(proposal.Title))
        {
            Add($"{path}.title", "must be a non-empty string");
        }
        Text($"{path}.type", proposal.Type, MaxShortTextLength);
        Text($"{path}.title", proposal.Title, MaxShortTextLength);
        Text($"{path}.explanation", proposal.Explanation, MaxExplanationLength);
        if (proposal.Data is { ValueKind: not JsonValueKind.Object })
        {
            Add($"{path}.data", "must be a JSON object");
        }
        if (proposal.InputsUsed is { } inputs && inputs.Any(i => i is null || HasNul(i)))
        {
            Add($"{path}.inputs_used", "must be an array of strings");
        }
        if (proposal.Data is { } data && Encoding.UTF8.GetByteCount(data.GetRawText()) > MaxMetadataBytes)
        {
            throw new PayloadTooLargeException($"{path}.data is larger than {MaxMetadataBytes / 1024} KiB.");
        }
        return new ProposalDraft(proposal.Type ?? "", proposal.Title ?? "", proposal.Explanation, proposal.InputsUsed, proposal.Data);
    }

    private void CheckMetadata(JsonElement? metadata)
    {
        if (metadata is not { } value)
        {
            return;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            Add("metadata", "must be a JSON object");
            return;
        }
        if (Encoding.UTF8.GetByteCount(value.GetRawText()) > MaxMetadataBytes)
        {
            throw new PayloadTooLargeException($"metadata is larger than {MaxMetadataBytes / 1024} KiB serialized.");
        }
        if (HasNul(value.GetRawText()))
        {
            Add("metadata", "must not contain NUL characters");
        }
    }

    private void NotInFuture(string field, DateTimeOffset value)
    {
        if (value > now + FutureTolerance)
        {
            Add(field, "must not be more than 5 minutes in the future");
        }
    }

    private void Text(string field, string? value, int maxLength)
    {
        if (value is null)
        {
            return;
        }
        if (value.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters");
        }
        else if (HasNul(value) || value.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r')))
        {
            Add(field, "must not contain control characters (tab, line feed and carriage return are allowed)");
        }
    }

    // PostgreSQL text cannot hold NUL; refusing it everywhere keeps both engines identical.
    private static bool HasNul(string value) => value.Contains('\0') || value.Contains("\\u0000", StringComparison.Ordinal);

    private T Required<T>(T? request) where T : class
    {
        if (request is null)
        {
            if (_errors.Count == 0)
            {
                Add("$", "A JSON object is required as the request body.");
            }
            ThrowIfInvalid();
        }
        return request!;
    }

    private void Add(string field, string message)
    {
        if (shapeErrors?.ContainsKey(field) == true)
        {
            return;
        }
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
    }

    private void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
        {
            throw new ValidationException(_errors.ToDictionary(p => p.Key, p => p.Value.ToArray()));
        }
    }
}
