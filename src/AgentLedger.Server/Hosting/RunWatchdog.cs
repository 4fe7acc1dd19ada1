using AgentLedger.Core.Executions;
using AgentLedger.Core.Runner;
using Microsoft.Extensions.Options;

namespace AgentLedger.Server.Hosting;

/// <summary>
/// Keeps this node's runs visibly alive (heartbeat) and closes the runs of nodes that died:
/// an in-process run whose heartbeat is older than three beats is marked abandoned by whichever
/// node notices first, so the ledger never shows a dead node's run as running forever.
/// </summary>
internal sealed partial class RunWatchdog(
    IExecutionLedger ledger,
    AgentRunner runner,
    TimeProvider time,
    IOptions<LedgerOptions> options,
    ILogger<RunWatchdog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var beat = TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);
        using var timer = new PeriodicTimer(beat, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var now = time.GetUtcNow();
                await ledger.HeartbeatAsync(runner.RunningExecutions, now, stoppingToken);
                var abandoned = await ledger.AbandonStaleAsync(now - 3 * beat, now, stoppingToken);
                if (abandoned.Count > 0)
                {
                    LogAbandoned(logger, abandoned.Count);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Marked {Count} executions abandoned: their nodes stopped sending heartbeats")]
    private static partial void LogAbandoned(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Heartbeat or stale-run sweep failed; retrying at the next beat")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
