using AgentLedger.Core.Agents;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Runner;
using AgentLedger.Core.Stats;
using AgentLedger.Core.Telemetry;

namespace AgentLedger.Server.Hosting;

/// <summary>
/// Before anything is served: prepare the database (<see cref="DatabaseBootstrap"/>) and mark
/// runs that a dead process left <c>running</c> as abandoned. On shutdown: cancel active runs and
/// record them as cancelled.
/// </summary>
internal sealed partial class LedgerLifecycle(
    DatabaseBootstrap bootstrap,
    IAgentDirectory directory,
    IExecutionLedger ledger,
    AgentRunner runner,
    IStatsSource stats,
    LedgerTelemetry telemetry,
    TimeProvider time,
    ILogger<LedgerLifecycle> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await bootstrap.PrepareAsync(cancellationToken);
        var abandoned = await ledger.AbandonRunningAsync(runner.Node, time.GetUtcNow(), cancellationToken);
        if (abandoned.Count > 0)
        {
            LogAbandoned(logger, abandoned.Count, runner.Node);
        }
        // The last-success gauge must be true from the first scrape, not only after the next run.
        var names = (await directory.ListAsync(cancellationToken)).Select(a => a.Name).ToList();
        foreach (var (agent, latest) in await stats.LatestAsync(names, cancellationToken))
        {
            if (latest.LastSuccessAt is { } at)
            {
                telemetry.SuccessSeen(agent, at);
            }
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
