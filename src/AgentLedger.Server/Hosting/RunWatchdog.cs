using AgentLedger.Core.Executions;
using AgentLedger.Core.Insights;
using AgentLedger.Core.Settings;
using AgentLedger.Core.Runner;
using Microsoft.Extensions.Options;

namespace AgentLedger.Server.Hosting;

/// <summary>
/// Keeps this node's runs visibly alive (heartbeat) and closes the runs of nodes that died:
/// an in-process run whose heartbeat is older than three beats is marked abandoned by whichever
/// node notices first, so the ledger never shows a dead node's run as running forever. External
/// runs holding a lease (<c>heartbeat_seconds</c>) are abandoned once two beats are missed; those
/// without one are bounded by their agent's timeout.
/// </summary>
internal sealed partial class RunWatchdog(
    IExecutionLedger ledger,
    IInsightsSource insights,
    SettingsService settings,
    AgentRunner runner,
    TimeProvider time,
    IOptions<LedgerOptions> options,
    ILogger<RunWatchdog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var beat = TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);
        // A lapsed external lease must be noticed within LeaseSweep of lapsing, whatever this node's own beat.
        using var timer = new PeriodicTimer(beat < LeaseSweep ? beat : LeaseSweep, time);
        while (await timer.NextTickAsync(stoppingToken))
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
                await CloseStuckRunsAsync(now, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    /// <summary>
    /// A run past its agent's bound shows as <c>stuck</c> in the agent's health; at twice the bound
    /// it is closed as abandoned, so an external agent that never completes cannot hold a run open.
    /// </summary>
    private async Task CloseStuckRunsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var open = await insights.RunningAsync(cancellationToken);
        var lapsed = open.Where(r => Execution.LeaseExpiry(r.StartedAt, r.HeartbeatAt, r.HeartbeatSeconds) < now).Select(r => r.Id).ToList();
        if (lapsed.Count > 0)
        {
            var abandoned = await ledger.AbandonLapsedAsync(lapsed, now, cancellationToken);
            if (abandoned.Count > 0)
            {
                LogLapsed(logger, abandoned.Count);
            }
        }
        // A run holding a lease is bounded by its heartbeats, not by the agent's timeout.
        var running = open.Where(r => r.HeartbeatSeconds is null).ToList();
        if (running.Count == 0)
        {
            return;
        }
        var bounds = await settings.GetAllAsync(running.Select(r => r.AgentName).Distinct().ToList(), cancellationToken);
        var overdue = running.Where(r => now - r.StartedAt > 2 * AgentHealth.StuckAfter(bounds[r.AgentName].Settings)).Select(r => r.Id).ToList();
        if (overdue.Count > 0)
        {
            var closed = await ledger.AbandonOverdueAsync(overdue, "The run stayed running for more than twice its timeout (stuck) and was closed.", now, cancellationToken);
            LogStuck(logger, closed.Count);
        }
    }

    private static readonly TimeSpan LeaseSweep = TimeSpan.FromSeconds(10);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Marked {Count} external executions abandoned: their heartbeats stopped")]
    private static partial void LogLapsed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closed {Count} stuck executions as abandoned")]
    private static partial void LogStuck(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Marked {Count} executions abandoned: their nodes stopped sending heartbeats")]
    private static partial void LogAbandoned(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Heartbeat or stale-run sweep failed; retrying at the next beat")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
