using AgentLedger.Core.Executions;
using AgentLedger.Server.Hosting;
using Microsoft.Extensions.Options;

namespace AgentLedger.Server.Otlp;

/// <summary>
/// Drops held child spans whose agent span has not come within <see cref="OtlpOptions.OrphanHours"/>, counting
/// them (<c>otlp_orphan_spans_total</c>). Each OTLP batch also drops them in its own transaction; this sweep covers
/// a node that stops receiving traces.
/// </summary>
internal sealed partial class OrphanSweepService(
    IExecutionLedger ledger,
    TimeProvider time,
    IOptions<OtlpOptions> options,
    ILogger<OrphanSweepService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        do
        {
            try
            {
                await ledger.ExpireHeldSpansAsync(time.GetUtcNow() - options.Value.OrphanLimit, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSweepFailed(logger, ex);
            }
        }
        while (await timer.NextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Dropping expired orphan spans failed; retrying at the next sweep")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
