using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;
using AgentLedger.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage.Retention;

public sealed record ArchiveReport(DateTimeOffset Cutoff, long Candidates, long Archived, int Batches, bool DryRun);

/// <summary>
/// Moves finished executions older than the cutoff from <c>agent_executions</c> to
/// <c>agent_executions_archive</c>, in small transactions so writers are never blocked for long.
/// Rollups are not touched: stats and history over archived periods stay exact.
/// </summary>
public sealed class LedgerArchiver(ILedgerDbContextFactory contexts, TimeProvider time)
{
    public const int DefaultBatchSize = 1000;
    private static readonly string Running = ExecutionStatus.Running.ToWire();

    public async Task<ArchiveReport> ArchiveAsync(DateTimeOffset cutoff, bool dryRun, int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default)
    {
        cutoff = LedgerTime.Normalize(cutoff);
        long candidates;
        await using (var db = contexts.Create())
        {
            candidates = await Old(db, cutoff).LongCountAsync(cancellationToken);
        }
        if (dryRun)
        {
            return new ArchiveReport(cutoff, candidates, 0, 0, DryRun: true);
        }

        long archived = 0;
        var batches = 0;
        while (true)
        {
            await using var db = contexts.Create();
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            var rows = await Old(db, cutoff)
                .OrderBy(e => e.StartedAt).ThenBy(e => e.Seq)
                .Take(batchSize)
                .ToListAsync(cancellationToken);
            if (rows.Count == 0)
            {
                // The first batch already moved the watermark; with nothing archived it stays where it
                // was, so readers do not look in the archive for rows that were never moved there.
                break;
            }
            await db.PrepareArchiveAsync(rows.Select(r => r.StartedAt), cancellationToken);
            var now = LedgerTime.Normalize(time.GetUtcNow());
            db.ArchivedExecutions.AddRange(rows.Select(r => ArchivedExecutionEntity.From(r, now)));
            db.Executions.RemoveRange(rows);
            // Readers use the watermark to look in the archive, so it moves with the first batch.
            await ArchiveWatermark.AdvanceAsync(db, cutoff, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
            archived += rows.Count;
            batches++;
        }
        return new ArchiveReport(cutoff, candidates, archived, batches, DryRun: false);
    }

    /// <summary>
    /// Finished rows that started before the cutoff. No index starts with <c>started_at</c>; naming
    /// the agents (every execution's agent is registered) turns a scan of the whole table into one
    /// range seek per agent on <c>(agent_name, started_at)</c>, so the hourly sweep reads only what it moves.
    /// </summary>
    private static IQueryable<ExecutionEntity> Old(LedgerDbContext db, DateTimeOffset cutoff)
    {
        var agents = db.Agents.Select(a => a.Name);
        return db.Executions.Where(e => agents.Contains(e.AgentName) && e.StartedAt < cutoff && e.Status != Running);
    }
}
