using AgentLedger.Core.Executions;
using AgentLedger.Storage.Sqlite;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AgentLedger.Tests.Writes;

/// <summary>
/// The server copies committed WAL pages into the database file in the background: SQLite's own checkpoint waits
/// for 50 000 pages, so without the background one the file would not grow while these few hundred runs are written.
/// </summary>
public sealed class WalCheckpointTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private readonly TestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [SkippableFact]
    public async Task Commits_are_checkpointed_into_the_database_file_soon_after_without_a_commit_doing_it()
    {
        Skip.If(TestDatabase.IsPostgres, "a SQLite WAL");
        using var host = new LedgerFactory(_db);
        host.CreateClient().Dispose();
        var ledger = host.Services.GetRequiredService<IExecutionLedger>();
        await ledger.RecordAsync(new ExecutionStart("checkpointed", ExecutionTrigger.External, Start), new ExecutionOutcome(ExecutionStatus.Success, Start.AddSeconds(1)), CancellationToken.None);
        await WaitForCheckpointAsync();
        var before = new FileInfo(_db.FilePath).Length;

        for (var i = 0; i < 400; i++)
        {
            var started = Start.AddMinutes(i);
            await ledger.RecordAsync(new ExecutionStart("checkpointed", ExecutionTrigger.External, started),
                new ExecutionOutcome(ExecutionStatus.Success, started.AddSeconds(2), Metadata: System.Text.Json.JsonSerializer.SerializeToElement(new { note = new string('x', 900) })),
                CancellationToken.None);
        }
        Assert.True(new FileInfo(_db.FilePath + "-wal").Length > 400 * 900, "the runs are in the WAL");
        await WaitForCheckpointAsync();

        Assert.True(new FileInfo(_db.FilePath).Length >= before + 400 * 900, $"the database file grew from {before} bytes to {new FileInfo(_db.FilePath).Length}");
        Assert.Equal(401, _db.Scalar("SELECT COUNT(*) FROM agent_executions WHERE agent_name = 'checkpointed'"));
    }

    /// <summary>Until the file stops growing for longer than the checkpointer's pause (at most 20 s).</summary>
    private async Task WaitForCheckpointAsync()
    {
        var length = -1L;
        for (var i = 0; i < 80; i++)
        {
            await Task.Delay(WalCheckpointer.Pause / 2);
            var now = new FileInfo(_db.FilePath).Length;
            if (now == length && i >= 4)
            {
                return;
            }
            length = now;
        }
    }
}
