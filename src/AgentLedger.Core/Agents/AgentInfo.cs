namespace AgentLedger.Core.Agents;

public enum AgentKind
{
    /// <summary>Runs in-process through the runner and the scheduler.</summary>
    BuiltIn,

    /// <summary>Runs elsewhere and reports its runs over HTTP; registered on its first report.</summary>
    External,
}

public sealed record AgentInfo(string Name, string DisplayName, string Description, AgentKind Kind, DateTimeOffset FirstSeenAt);

public interface IAgentDirectory
{
    Task<IReadOnlyList<AgentInfo>> ListAsync(CancellationToken cancellationToken);

    Task<AgentInfo?> FindAsync(string name, CancellationToken cancellationToken);

    /// <summary>Registers (or refreshes the description of) the in-process agents at start-up.</summary>
    Task RegisterBuiltInAsync(IEnumerable<IAgent> agents, DateTimeOffset now, CancellationToken cancellationToken);
}

public static class AgentKinds
{
    public static string ToWire(this AgentKind kind) => kind == AgentKind.BuiltIn ? "builtin" : "external";
}
