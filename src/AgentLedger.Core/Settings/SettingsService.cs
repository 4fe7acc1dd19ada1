using System.Text.Json;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Common;

namespace AgentLedger.Core.Settings;

/// <summary>Effective settings (persisted, else the agent's defaults) and the rules for changing them.</summary>
public sealed class SettingsService(ISettingsStore store, AgentCatalog catalog, TimeProvider time, Alerts.WebhookTargetPolicy? webhookTargets = null)
{
    public async Task<StoredSettings> GetAsync(string agentName, CancellationToken cancellationToken) =>
        await store.FindAsync(agentName, cancellationToken) ?? Defaults(agentName);

    public async Task<IReadOnlyDictionary<string, StoredSettings>> GetAllAsync(IEnumerable<string> agentNames, CancellationToken cancellationToken)
    {
        var stored = await store.ListAsync(cancellationToken);
        return agentNames.ToDictionary(name => name, name => stored.GetValueOrDefault(name) ?? Defaults(name));
    }

    public async Task<StoredSettings> UpdateAsync(string agentName, SettingsPatch patch, string updatedBy, CancellationToken cancellationToken, Access.Actor? actor = null)
    {
        var stored = await GetAsync(agentName, cancellationToken);
        var current = stored.Settings;
        var next = new AgentSettings(
            patch.Enabled ?? current.Enabled,
            patch.IntervalSeconds ?? current.IntervalSeconds,
            patch.TimeoutSeconds ?? current.TimeoutSeconds,
            patch.Config is { } config ? MergeConfig(current.Config, config) : current.Config);
        Validate(agentName, next, patch);
        return await SaveAsync(stored, next, updatedBy, cancellationToken, actor, Access.AuditActions.SettingsUpdate);
    }

    public async Task<StoredSettings> ResetAsync(string agentName, string updatedBy, CancellationToken cancellationToken, Access.Actor? actor = null) =>
        await SaveAsync(await GetAsync(agentName, cancellationToken), catalog.DefaultsFor(agentName), updatedBy, cancellationToken, actor, Access.AuditActions.SettingsReset);

    public Task<IReadOnlyList<StoredSettings>> HistoryAsync(string agentName, CancellationToken cancellationToken) =>
        store.HistoryAsync(agentName, cancellationToken);

    /// <summary>
    /// Switching an agent on, or changing its interval, starts its schedule afresh: slots of an old
    /// interval were never missed, so shortening 3600 s to 1 s must not fire a backlog of catch-up runs.
    /// Any other change keeps the anchor.
    /// </summary>
    private Task<StoredSettings> SaveAsync(StoredSettings current, AgentSettings next, string updatedBy, CancellationToken cancellationToken, Access.Actor? actor, string action)
    {
        var now = time.GetUtcNow();
        var scheduledSince = !next.Enabled ? null
            : current.Settings.Enabled && next.IntervalSeconds == current.Settings.IntervalSeconds ? current.ScheduledSince
            : now;
        var audit = actor is null ? null : Access.AuditEntry.For(actor, now, action, "agent", current.AgentName, 200, Snapshot(current.Settings), Snapshot(next));
        return store.SaveAsync(current.AgentName, next, scheduledSince, updatedBy, now, cancellationToken, actor?.KeyName, audit);
    }

    /// <summary>Settings as the API shows them, for the audit log's before and after.</summary>
    private static JsonElement Snapshot(AgentSettings settings) => JsonSerializer.SerializeToElement(new System.Text.Json.Nodes.JsonObject
    {
        ["enabled"] = settings.Enabled,
        ["interval_seconds"] = settings.IntervalSeconds,
        ["timeout_seconds"] = settings.TimeoutSeconds,
        ["config"] = System.Text.Json.Nodes.JsonNode.Parse(settings.Config.GetRawText()),
    });

    /// <summary>
    /// JSON merge patch (RFC 7386), one level deep: keys sent replace their values, a null removes
    /// the key, keys not sent stay. A non-object is kept as sent so validation can refuse it.
    /// </summary>
    public static JsonElement MergeConfig(JsonElement current, JsonElement patch)
    {
        if (patch.ValueKind != JsonValueKind.Object || current.ValueKind != JsonValueKind.Object)
        {
            return patch;
        }
        var merged = System.Text.Json.Nodes.JsonObject.Create(current)!.DeepClone().AsObject();
        foreach (var property in patch.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                merged.Remove(property.Name);
            }
            else
            {
                merged[property.Name] = System.Text.Json.Nodes.JsonNode.Parse(property.Value.GetRawText());
            }
        }
        return JsonSerializer.SerializeToElement(merged);
    }

    private StoredSettings Defaults(string agentName) => new(agentName, catalog.DefaultsFor(agentName), 0, null, null, null);

    private void Validate(string agentName, AgentSettings settings, SettingsPatch patch)
    {
        var errors = new Dictionary<string, string[]>();
        var agent = catalog.Find(agentName);
        if (patch.IntervalSeconds is not null && agent is null)
        {
            errors["interval_seconds"] = ["external agents report their own runs; AgentLedger does not schedule them"];
        }
        else if (settings.IntervalSeconds is { } interval && interval is < AgentSettings.MinIntervalSeconds or > AgentSettings.MaxIntervalSeconds)
        {
            errors["interval_seconds"] = [$"must be between {AgentSettings.MinIntervalSeconds} and {AgentSettings.MaxIntervalSeconds}"];
        }
        if (settings.TimeoutSeconds is < AgentSettings.MinTimeoutSeconds or > AgentSettings.MaxTimeoutSeconds)
        {
            errors["timeout_seconds"] = [$"must be between {AgentSettings.MinTimeoutSeconds} and {AgentSettings.MaxTimeoutSeconds}"];
        }
        if (settings.Config.ValueKind != JsonValueKind.Object)
        {
            errors["config"] = ["must be a JSON object"];
        }
        else if (Proposals.ProposalRules.ValidateTtl(settings.Config) is { } ttlError)
        {
            errors[$"config.{Proposals.ProposalRules.TtlKey}"] = [ttlError];
        }
        foreach (var (field, messages) in Insights.AgentHealth.Validate(settings.Config).Concat(Alerts.AlertRules.Validate(settings.Config, webhookTargets)))
        {
            errors[$"config.{field}"] = messages;
        }
        if (settings.Config.ValueKind == JsonValueKind.Object && agent is not null)
        {
            foreach (var (field, messages) in agent.ValidateConfig(settings.Config))
            {
                errors[$"config.{field}"] = messages;
            }
        }
        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }
    }
}
