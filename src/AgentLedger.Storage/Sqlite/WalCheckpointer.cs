using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AgentLedger.Storage.Sqlite;

/// <summary>
/// Copies committed WAL pages into the database file beside the writer instead of inside its commit. SQLite's own
/// checkpoint runs in the commit that crosses <c>wal_autocheckpoint</c>: the one writer then copies thousands of
/// pages (an OTLP group's id-index pages land all over the file) while every queued request waits for it. Here a
/// passive checkpoint follows commits, at most one per <see cref="Pause"/>, on a connection of its own; it never
/// waits for readers or the writer. Waiting a moment lets pages that consecutive commits change again (rollups,
/// the newest rows) be copied once. The auto-checkpoint stays configured as the bound (and for processes that run
/// no checkpointer, such as the admin commands): it then finds the pages already copied.
/// </summary>
public sealed class WalCheckpointer(string connectionString)
{
    public static readonly TimeSpan Pause = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _committed = new(0, 1);
    private int _pending;

    /// <summary>A commit happened: the next checkpoint is due (commits while one runs fold into the next).</summary>
    internal void Committed()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            _committed.Release();
        }
    }

    /// <summary>Checkpoints after commits until stopped; a failed checkpoint is reported to <paramref name="failed"/> and the next commit tries again.</summary>
    public async Task RunAsync(TimeProvider time, Action<Exception> failed, CancellationToken stoppingToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        while (true)
        {
            await _committed.WaitAsync(stoppingToken);
            await Task.Delay(Pause, time, stoppingToken);
            Volatile.Write(ref _pending, 0);
            try
            {
                if (connection.State != System.Data.ConnectionState.Open)
                {
                    await connection.OpenAsync(stoppingToken);
                }
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                await command.ExecuteNonQueryAsync(stoppingToken);
            }
            catch (SqliteException ex)
            {
                failed(ex);
                await connection.CloseAsync();
            }
        }
    }

    /// <summary>Tells the checkpointer about every commit of the contexts it is added to.</summary>
    internal sealed class AfterCommit(WalCheckpointer checkpointer) : DbTransactionInterceptor
    {
        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => checkpointer.Committed();

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            checkpointer.Committed();
            return Task.CompletedTask;
        }
    }
}
