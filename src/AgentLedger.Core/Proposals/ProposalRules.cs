using System.Text.Json;
using System.Text.Json.Nodes;
using AgentLedger.Core.Settings;

namespace AgentLedger.Core.Proposals;

/// <summary>What happens to an agent's proposals between its run and the ledger.</summary>
public static class ProposalRules
{
    public const string TtlKey = "proposal_ttl_hours";
    public const double DefaultTtlHours = 72;
    public const double MaxTtlHours = 24 * 365;

    /// <summary>Proposals still pending after their settings' time-to-live expire unreviewed.</summary>
    public static TimeSpan Ttl(AgentSettings settings) =>
        settings.Config.ValueKind == JsonValueKind.Object
        && settings.Config.TryGetProperty(TtlKey, out var ttl)
        && ttl.ValueKind == JsonValueKind.Number
            ? TimeSpan.FromHours(ttl.GetDouble())
            : TimeSpan.FromHours(DefaultTtlHours);

    public static IReadOnlyList<ProposalDraft>? WithExpiry(IReadOnlyList<ProposalDraft>? proposals, AgentSettings settings, DateTimeOffset createdAt)
    {
        var expiresAt = createdAt + Ttl(settings);
        return proposals?.Select(p => p.ExpiresAt is null ? p with { ExpiresAt = expiresAt } : p).ToList();
    }

    /// <summary>Drops drafts already pending (or repeated within the run), so a run does not re-propose what awaits review.</summary>
    public static (IReadOnlyList<ProposalDraft> Fresh, int Skipped) WithoutDuplicates(IReadOnlyList<ProposalDraft> drafts, IReadOnlySet<string> pendingKeys)
    {
        var seen = new HashSet<string>(pendingKeys, StringComparer.Ordinal);
        var fresh = drafts.Where(d => seen.Add(ProposalKey.Of(d))).ToList();
        return (fresh, drafts.Count - fresh.Count);
    }

    public static JsonElement WithSkippedCount(JsonElement? metadata, int skipped)
    {
        var node = metadata is { ValueKind: JsonValueKind.Object } m ? JsonObject.Create(m)!.DeepClone().AsObject() : new JsonObject();
        node["skipped_duplicates"] = skipped;
        return JsonSerializer.SerializeToElement(node);
    }

    /// <summary>Null when valid; checked with the rest of an agent's settings.</summary>
    public static string? ValidateTtl(JsonElement config) =>
        config.ValueKind == JsonValueKind.Object && config.TryGetProperty(TtlKey, out var ttl)
        && !(ttl.ValueKind == JsonValueKind.Number && ttl.GetDouble() is > 0 and <= MaxTtlHours)
            ? $"must be a number of hours in (0, {MaxTtlHours}]"
            : null;
}
