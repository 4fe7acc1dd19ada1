using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Runner;
using AgentLedger.Core.Scheduling;

namespace AgentLedger.Server.Hosting;

/// <summary>
/// Runs each enabled in-process agent every <c>interval_seconds</c> of its persisted settings.
/// Settings are re-read on every tick, so a change takes effect without a restart.
/// </summary>
internal sealed partial class AgentScheduler(
    ScheduleReader schedules,
    AgentRunner runner,
    TimeProvider time,
    ILogger<AgentScheduler> logger) : BackgroundService
{
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        while (await timer.NextTickAsync(stoppingToken))
        {
            try
            {
                await RunDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A database hiccup must not stop scheduling for good; the next tick tries again.
                LogTickFailed(logger, ex);
            }
        }
    }

    internal async Task RunDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var agent in (await schedules.ReadAsync(cancellationToken)).Values)
        {
            if (agent.NextRun is not { } next || next > now || runner.IsRunning(agent.Name))
            {
                continue;
            }
            var slot = Schedule.DueSlot(next, agent.Settings.IntervalSeconds!.Value, now);
            try
            {
                await runner.StartAsync(agent.Name, ExecutionTrigger.Schedule, scheduledFor: slot, cancellationToken: cancellationToken);
            }
            catch (ConflictException ex)
            {
                // Disabled or running meanwhile: the slot stays due and is tried at the next tick.
                LogSkipped(logger, agent.Name, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A scheduler tick failed; retrying at the next tick")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduled run of {Agent} skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string agent, string reason);
}
