using AgentLedger.Core.Settings;

namespace AgentLedger.Core.Agents;

/// <summary>An agent that AgentLedger runs in-process. The runner records every call.</summary>
public interface IAgent
{
    string Name { get; }

    string DisplayName { get; }

    string Description { get; }

    AgentSettings DefaultSettings { get; }

    /// <summary>Agent-specific checks of <see cref="AgentSettings.Config"/>; an empty result means valid.</summary>
    IReadOnlyDictionary<string, string[]> ValidateConfig(System.Text.Json.JsonElement config) => new Dictionary<string, string[]>();

    /// <summary>The JSON Schema of the keys <see cref="ValidateConfig"/> checks, for the API's document; null when unpublished.</summary>
    System.Text.Json.Nodes.JsonObject? ConfigSchema => null;

    /// <summary>
    /// Does the work. Throwing records the run as failed; honouring <paramref name="cancellationToken"/>
    /// lets a timeout or shutdown end it promptly.
    /// </summary>
    Task<AgentRunResult> RunAsync(AgentContext context, CancellationToken cancellationToken);
}
