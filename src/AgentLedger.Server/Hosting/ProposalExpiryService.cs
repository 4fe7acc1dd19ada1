using AgentLedger.Core.Proposals;
using Microsoft.Extensions.Options;

namespace AgentLedger.Server.Hosting;

/// <summary>Moves pending proposals past their <c>expires_at</c> to <c>expired</c>.</summary>
internal sealed partial class ProposalExpiryService(
    IProposalStore proposals,
    TimeProvider time,
    IOptions<LedgerOptions> options,
    ILogger<ProposalExpiryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ProposalExpirySweep, time);
        do
        {
            try
            {
                while (await proposals.ExpireDueAsync(time.GetUtcNow(), stoppingToken) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSweepFailed(logger, ex);
            }
        }
        while (await timer.NextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Expiring proposals failed; retrying at the next sweep")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
