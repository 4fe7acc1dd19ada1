using System.Security.Claims;

namespace AgentLedger.Server.Auth;

/// <summary>
/// Whether an authenticated caller may report runs of an agent. Reports name their agent only once decoded
/// (an OTLP batch names many), so this is asked per agent after authentication, not as an endpoint policy.
/// </summary>
public interface IAgentReportPolicy
{
    /// <summary>Null when <paramref name="caller"/> may report runs of <paramref name="agentName"/>; else why not (said to the caller).</summary>
    string? Refusal(ClaimsPrincipal caller, string agentName);
}

/// <summary>A report key acts only for the agents its patterns match; every other role that may report, for all.</summary>
internal sealed class KeyScopeReportPolicy : IAgentReportPolicy
{
    public string? Refusal(ClaimsPrincipal caller, string agentName) => AccessPolicies.AgentRefusal(caller, agentName);
}
