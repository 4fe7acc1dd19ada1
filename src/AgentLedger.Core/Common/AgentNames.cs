using System.Text.RegularExpressions;

namespace AgentLedger.Core.Common;

public static partial class AgentNames
{
    /// <summary>"stats" would shadow <c>GET /api/agents/stats</c>.</summary>
    public const string Reserved = "stats";

    public const string Rule = "agent names match ^[a-z0-9][a-z0-9._-]{0,127}$ and may not be 'stats'";

    public static bool IsValid(string? name) => name is not null && name != Reserved && Pattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
