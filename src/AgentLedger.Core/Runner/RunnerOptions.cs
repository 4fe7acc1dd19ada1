namespace AgentLedger.Core.Runner;

public sealed class RunnerOptions
{
    /// <summary>Recorded on every execution; recovery abandons only this node's runs.</summary>
    public string Node { get; set; } = Environment.MachineName.ToLowerInvariant();

    /// <summary>How long shutdown waits for cancelled runs to record their end.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>A started run: its <c>running</c> row, and the task that ends with the finalised row.</summary>
public sealed record RunHandle(Executions.Execution Started, Task<Executions.Execution> Completion);
