using AgentLedger.Core.Agents;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Runner;
using AgentLedger.Storage;

namespace AgentLedger.Server.Hosting;

/// <summary>
/// Before anything is served: apply migrations, register the in-process agents, and mark runs
/// that a dead process left <c>running</c> as abandoned. On shutdown: cancel active runs and
/// record them as cancelled.
/// </summary>
internal sealed partial class LedgerLifecycle(
    LedgerDatabase database,
    IAgentDirectory directory,
    AgentCatalog catalog,
    IExecutionLedger ledger,
    AgentRunner runner,
    TimeProvider time,
    ILogger<LedgerLifecycle> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await directory.RegisterBuiltInAsync(catalog.All, time.GetUtcNow(), cancellationToken);
        var abandoned = await ledger.AbandonRunningAsync(runner.Node, time.GetUtcNow(), cancellationToken);
        if (abandoned.Count > 0)
        {
            LogAbandoned(logger, abandoned.Count, runner.Node);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => runner.StopAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Marked {Count} executions of node {Node} abandoned: the process running them stopped before they finished")]
    private static partial void LogAbandoned(ILogger logger, int count, string node);
}
