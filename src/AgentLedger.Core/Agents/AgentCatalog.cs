using AgentLedger.Core.Common;
using AgentLedger.Core.Settings;

namespace AgentLedger.Core.Agents;

/// <summary>The in-process agents of this host, by name.</summary>
public sealed class AgentCatalog
{
    /// <summary>External agents are not scheduled here; the timeout bounds how long their run may stay open.</summary>
    public static readonly AgentSettings ExternalDefaults = new(Enabled: true, IntervalSeconds: null, TimeoutSeconds: 3600, AgentSettings.EmptyConfig);

    private readonly Dictionary<string, IAgent> _agents;

    public AgentCatalog(IEnumerable<IAgent> agents)
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
    }

    public IReadOnlyCollection<IAgent> All => _agents.Values;

    public IAgent? Find(string name) => _agents.GetValueOrDefault(name);

    public AgentSettings DefaultsFor(string name) => Find(name)?.DefaultSettings ?? ExternalDefaults;
}
