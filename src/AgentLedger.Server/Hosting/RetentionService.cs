using AgentLedger.Storage.Retention;
using Microsoft.Extensions.Options;

namespace AgentLedger.Server.Hosting;

/// <summary>Archives raw executions older than <c>RawRetentionDays</c>, at start-up and then hourly.</summary>
internal sealed partial class RetentionService(
    LedgerArchiver archiver,
    TimeProvider time,
    IOptions<LedgerOptions> options,
    ILogger<RetentionService> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        do
        {
            try
            {
                var report = await archiver.ArchiveAsync(time.GetUtcNow() - options.Value.RawRetention, dryRun: false, cancellationToken: stoppingToken);
                if (report.Archived > 0)
                {
                    LogArchived(logger, report.Archived, report.Cutoff, report.Batches);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
        while (await timer.NextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Archived {Count} executions that started before {Cutoff:O} in {Batches} batches")]
    private static partial void LogArchived(ILogger logger, long count, DateTimeOffset cutoff, int batches);

    [LoggerMessage(Level = LogLevel.Error, Message = "Archiving failed; retrying within the hour")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
