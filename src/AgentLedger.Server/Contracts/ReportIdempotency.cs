using System.Security.Cryptography;
using System.Text.Json;
using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;
using AgentLedger.Server.Json;

namespace AgentLedger.Server.Contracts;

/// <summary>
/// Recognises a retried report: a request is fingerprinted by its canonical form (the bound
/// request serialized again, so spacing, key order and time notation do not matter), and a
/// repeat is answered with what is stored, while a different body under the same id is refused.
/// </summary>
public static class ReportIdempotency
{
    public static string Fingerprint<T>(T request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, LedgerJson.Options)));

    /// <summary>The stored execution when <paramref name="request"/> repeats the report that created it; else a conflict naming what differs.</summary>
    public static Execution Repeat(Execution stored, ReportExecutionRequest request, string fingerprint)
    {
        if (stored.ReportHash == fingerprint)
        {
            return stored;
        }
        if (stored.ReportHash is null)
        {
            throw new ConflictException($"Execution '{stored.Id}' exists and was not reported with a client-chosen id; choose a new random id for a new run.");
        }
        var differences = Differences(stored, request);
        throw new ConflictException(
            $"Execution '{stored.Id}' was already reported with a different body ({(differences.Count > 0 ? string.Join("; ", differences) : "the proposals or metadata differ")}). " +
            "A retry must repeat the first body exactly; a new run needs a new id.");
    }

    /// <summary>The stored execution when <paramref name="request"/> repeats the completion that finalised it; else a conflict.</summary>
    public static Execution RepeatCompletion(Execution stored, string fingerprint) =>
        stored.CompletionHash == fingerprint
            ? stored
            : throw new ConflictException(stored.CompletionHash is null
                ? $"Execution '{stored.Id}' is already final ({stored.Status.ToWire()})."
                : $"Execution '{stored.Id}' is already final ({stored.Status.ToWire()}) and was completed with a different body; a retry must repeat the first body exactly.");

    private static List<string> Differences(Execution stored, ReportExecutionRequest request)
    {
        var found = new List<string>();
        void Compare(string field, object? sent, object? kept)
        {
            if (!Equals(sent, kept))
            {
                found.Add($"{field}: sent {Show(sent)}, stored {Show(kept)}");
            }
        }
        Compare("agent_name", request.AgentName, stored.AgentName);
        Compare("trigger", request.Trigger ?? ExecutionTrigger.External.ToWire(), stored.Trigger.ToWire());
        if (request.StartedAt is { } startedAt)
        {
            Compare("started_at", LedgerTime.Normalize(startedAt), stored.StartedAt);
        }
        Compare("heartbeat_seconds", request.HeartbeatSeconds, stored.HeartbeatSeconds);
        var finished = request.Status is not (null or "running");
        var storedFinished = stored.Status != ExecutionStatus.Running && stored.CompletionHash is null;
        Compare("status", request.Status ?? "running", storedFinished ? stored.Status.ToWire() : "running");
        if (finished && storedFinished)
        {
            if (request.CompletedAt is { } completedAt)
            {
                Compare("completed_at", LedgerTime.Normalize(completedAt), stored.CompletedAt);
            }
            Compare("error_type", request.ErrorType, stored.ErrorType);
            Compare("error_message", request.ErrorMessage, stored.ErrorMessage);
            Compare("resources_processed", request.ResourcesProcessed ?? 0, stored.ResourcesProcessed);
            Compare("proposals_created", request.ProposalsCreated ?? request.Proposals?.Count ?? 0, (long)stored.ProposalsCreated);
            if (!(request.Metrics ?? new Dictionary<string, double>()).OrderBy(p => p.Key).SequenceEqual(stored.Metrics.OrderBy(p => p.Key)))
            {
                found.Add("metrics differ");
            }
        }
        return found;
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        DateTimeOffset t => UtcDateTimeOffsetConverter.Format(t),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
