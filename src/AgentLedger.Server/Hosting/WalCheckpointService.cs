using AgentLedger.Storage.Sqlite;

namespace AgentLedger.Server.Hosting;

/// <summary>Runs the SQLite ledger's background checkpoints (<see cref="WalCheckpointer"/>); on PostgreSQL there is none and this ends at once.</summary>
internal sealed partial class WalCheckpointService(IServiceProvider services, TimeProvider time, ILogger<WalCheckpointService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<WalCheckpointer>() is not { } checkpointer)
        {
            return;
        }
        try
        {
            await checkpointer.RunAsync(time, ex => LogCheckpointFailed(logger, ex), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A background WAL checkpoint failed; the next commit tries again (SQLite's own auto-checkpoint still bounds the WAL)")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);
}
