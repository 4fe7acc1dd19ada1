using System.Text.Json;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Common;

namespace AgentLedger.Core.Settings;

/// <summary>Effective settings (persisted, else the agent's defaults) and the rules for changing them.</summary>
public sealed class SettingsService(ISettingsStore store, AgentCatalog catalog, TimeProvider time)
{
    public async Task<StoredSettings> GetAsync(string agentName, CancellationToken cancellationToken) =>
        await store.FindAsync(agentName, cancellationToken) ?? Defaults(agentName);

    public async Task<IReadOnlyDictionary<string, StoredSettings>> GetAllAsync(IEnumerable<string> agentNames, CancellationToken cancellationToken)
    {
        var stored = await store.ListAsync(cancellationToken);
        return agentNames.ToDictionary(name => name, name => stored.GetValueOrDefault(name) ?? Defaults(name));
    }

    public async Task<StoredSettings> UpdateAsync(string agentName, SettingsPatch patch, string updatedBy, CancellationToken cancellationToken)
    {
        var current = (await GetAsync(agentName, cancellationToken)).Settings;
        var next = new AgentSettings(
            patch.Enabled ?? current.Enabled,
            patch.IntervalSeconds ?? current.IntervalSeconds,
            patch.TimeoutSeconds ?? current.TimeoutSeconds,
            patch.Config ?? current.Config);
        Validate(agentName, next, patch);
        return await store.SaveAsync(agentName, next, updatedBy, time.GetUtcNow(), cancellationToken);
    }

    public Task<StoredSettings> ResetAsync(string agentName, string updatedBy, CancellationToken cancellationToken) =>
        store.SaveAsync(agentName, catalog.DefaultsFor(agentName), updatedBy, time.GetUtcNow(), cancellationToken);

    public Task<IReadOnlyList<StoredSettings>> HistoryAsync(string agentName, CancellationToken cancellationToken) =>
        store.HistoryAsync(agentName, cancellationToken);

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
        else if (agent is not null)
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
