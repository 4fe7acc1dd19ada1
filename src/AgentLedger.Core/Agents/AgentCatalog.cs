using AgentLedger.Core.Common;
using AgentLedger.Core.Settings;

namespace AgentLedger.Core.Agents;

/// <summary>
/// Demo mode shortens the default intervals so a fresh install shows runs, stats and proposals
/// within a minute. Persisted settings always win over defaults.
/// </summary>
public sealed record CatalogOptions(bool DemoIntervals = false)
{
    public const int FirstDemoIntervalSeconds = 10;
    public const int DemoIntervalStepSeconds = 3;
}

/// <summary>The in-process agents of this host, by name.</summary>
public sealed class AgentCatalog
{
    /// <summary>External agents are not scheduled here; the timeout bounds how long their run may stay open.</summary>
    public static readonly AgentSettings ExternalDefaults = new(Enabled: true, IntervalSeconds: null, TimeoutSeconds: 3600, AgentSettings.EmptyConfig);

    private readonly Dictionary<string, IAgent> _agents;
    private readonly Dictionary<string, AgentSettings> _defaults;

    public AgentCatalog(IEnumerable<IAgent> agents, CatalogOptions? options = null)
    {
        _agents = new Dictionary<string, IAgent>(StringComparer.Ordinal);
        foreach (var agent in agents)
        {
            if (!AgentNames.IsValid(agent.Name))
            {
                throw new ArgumentException($"Agent '{agent.Name}' has an invalid name: {AgentNames.Rule}.");
            }
            if (!_agents.TryAdd(agent.Name, agent))
            {
                throw new ArgumentException($"Two agents are named '{agent.Name}'.");
            }
        }
        // Staggered demo intervals (10 s, 13 s, 16 s, …) so the agents do not all run in the same second.
        _defaults = _agents.Values.OrderBy(a => a.Name, StringComparer.Ordinal).Select((agent, i) =>
        {
            var defaults = agent.DefaultSettings;
            var demo = CatalogOptions.FirstDemoIntervalSeconds + i * CatalogOptions.DemoIntervalStepSeconds;
            return options?.DemoIntervals == true && defaults.IntervalSeconds is { } interval
                ? (agent.Name, defaults with { IntervalSeconds = Math.Min(interval, demo) })
                : (agent.Name, defaults);
        }).ToDictionary(p => p.Name, p => p.Item2, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<IAgent> All => _agents.Values;

    public IAgent? Find(string name) => _agents.GetValueOrDefault(name);

    public AgentSettings DefaultsFor(string name) => _defaults.GetValueOrDefault(name) ?? ExternalDefaults;
}
