using AgentLedger.Core.Agents;
using AgentLedger.Core.Settings;
using AgentLedger.Core.Stats;

namespace AgentLedger.Core.Insights;

/// <summary>Every known agent's health verdict now, with the settings it was judged by.</summary>
public sealed class HealthReader(IAgentDirectory directory, SettingsService settings, IStatsSource stats, IInsightsSource insights, TimeProvider time)
{
    public sealed record Judged(HealthVerdict Verdict, AgentSettings Settings);

    public async Task<IReadOnlyDictionary<string, Judged>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var agents = await directory.ListAsync(cancellationToken);
        var names = agents.Select(a => a.Name).ToList();
        var effective = await settings.GetAllAsync(names, cancellationToken);
        var latest = await stats.LatestAsync(names, cancellationToken);
        var running = await insights.OldestRunningAsync(names, cancellationToken);
        var now = time.GetUtcNow();
        return agents.ToDictionary(
            a => a.Name,
            a => new Judged(AgentHealth.Judge(effective[a.Name], a.FirstSeenAt, latest.GetValueOrDefault(a.Name), running, now), effective[a.Name].Settings));
    }
}
