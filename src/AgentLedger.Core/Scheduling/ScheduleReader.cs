using AgentLedger.Core.Agents;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Settings;

namespace AgentLedger.Core.Scheduling;

/// <summary>An in-process agent's schedule as the ledger and the persisted settings define it.</summary>
public sealed record ScheduledAgent(string Name, AgentSettings Settings, DateTimeOffset? NextRun);

/// <summary>
/// Reads every schedule from persisted state only (settings, registration, last scheduled run),
/// so the scheduler and <c>next_scheduled_run</c> in the API always agree, across restarts too.
/// </summary>
public sealed class ScheduleReader(IAgentDirectory directory, SettingsService settings, IExecutionLedger ledger, AgentCatalog catalog)
{
    public async Task<IReadOnlyDictionary<string, ScheduledAgent>> ReadAsync(CancellationToken cancellationToken)
    {
        var agents = (await directory.ListAsync(cancellationToken)).Where(a => catalog.Find(a.Name) is not null).ToList();
        var effective = await settings.GetAllAsync(agents.Select(a => a.Name).ToList(), cancellationToken);
        return await ReadAsync(agents, effective, cancellationToken);
    }

    /// <summary>For callers that already hold the agents and their effective settings (the agents API).</summary>
    public async Task<IReadOnlyDictionary<string, ScheduledAgent>> ReadAsync(
        IReadOnlyList<AgentInfo> known, IReadOnlyDictionary<string, StoredSettings> effective, CancellationToken cancellationToken)
    {
        var agents = known.Where(a => catalog.Find(a.Name) is not null).ToList();
        var names = agents.Select(a => a.Name).ToList();
        var lastScheduled = await ledger.LastScheduledAsync(names, cancellationToken);
        return agents.ToDictionary(
            agent => agent.Name,
            agent =>
            {
                var stored = effective[agent.Name];
                var next = Schedule.NextRun(stored.Settings, lastScheduled.TryGetValue(agent.Name, out var last) ? last : null, stored.ScheduledSince ?? agent.FirstSeenAt);
                return new ScheduledAgent(agent.Name, stored.Settings, next);
            });
    }
}
