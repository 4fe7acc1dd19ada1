using System.Collections.Concurrent;
using AgentLedger.Core.Common;
using AgentLedger.Core.Telemetry;
using AgentLedger.Storage.Rollups;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace AgentLedger.Storage.Writes;

/// <summary>
/// The one way the ledger records runs (runner, reports, heartbeats, completions, OTLP batches): group
/// commit. A request queues its write and waits; one writer at a time per database (per node) takes
/// whatever is queued, up to <see cref="StorageOptions.WritesPerCommit"/>, applies each write in a
/// savepoint of one transaction, writes the group's rollup deltas once, commits once, and only then
/// answers every request. Concurrent writers share one commit and one fsync instead of queueing for one
/// each, and "answered = durable" holds for every one of them.
/// <para>
/// The writer is whichever waiting request holds the pipeline's turn, so there is no background thread
/// to start or stop. One write's own failure (a conflict, a validation error) rolls back its savepoint
/// and fails only its request. When the group's transaction itself fails (database down, a broken
/// connection), nothing of it was committed: each write is then tried alone, for its own answer.
/// </para>
/// </summary>
/// <param name="telemetry">Absent where no host runs (the admin commands): commits are then not counted.</param>
internal sealed class WritePipeline(ILedgerDbContextFactory contexts, WriteGate gate, StorageOptions options, LedgerTelemetry? telemetry = null)
{
    private const string Savepoint = "ledger_write";

    private readonly ConcurrentQueue<PendingWrite> _queue = new();
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly int _groupSize = options.WritesPerCommit;
    private readonly int _limit = options.WriteQueueLimit;
    private int _queued;

    /// <summary>Writes waiting for a writer now (not those being written).</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>
    /// Queues a write and returns its result once the transaction holding it has committed. Cancelled
    /// while still queued, it is never applied; once taken by a writer it is written and answered whole.
    /// </summary>
    /// <param name="orderKey">The agent the write is about: a group applies its writes in this order.</param>
    public async Task<T> WriteAsync<T>(string orderKey, LedgerWrite<T> write, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _queued) > _limit)
        {
            Interlocked.Decrement(ref _queued);
            throw new WriteQueueFullException(_limit);
        }
        var pending = new PendingWrite<T>(orderKey, write);
        _queue.Enqueue(pending);
        try
        {
            await _turn.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (pending.TryAbandon())
            {
                pending.Cancel(cancellationToken);
            }
            return await pending.Answer;
        }
        try
        {
            // Writes queued ahead of this one go first; a request holding the turn writes until its own is answered.
            while (!pending.IsAnswered)
            {
                await WriteGroupAsync();
            }
        }
        finally
        {
            _turn.Release();
        }
        return await pending.Answer;
    }

    private async Task WriteGroupAsync()
    {
        var group = new List<PendingWrite>(_groupSize);
        while (group.Count < _groupSize && _queue.TryDequeue(out var next))
        {
            Interlocked.Decrement(ref _queued);
            if (next.TryTake())
            {
                group.Add(next);
            }
        }
        if (group.Count == 0)
        {
            return;
        }
        // Stable: writes about one agent keep their arrival order.
        group = [.. group.OrderBy(w => w.OrderKey, StringComparer.Ordinal)];
        using var writer = await gate.EnterAsync(CancellationToken.None);
        if (group.Count == 1)
        {
            await WriteAloneAsync(group[0]);
            return;
        }
        var outcomes = new Exception?[group.Count];
        try
        {
            await using var db = contexts.Create();
            // The pipeline's savepoints already isolate each write; EF Core's own per-SaveChanges savepoint would be two more statements each.
            db.Database.AutoSavepointsEnabled = false;
            await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
            var rollups = new RollupBatch();
            for (var i = 0; i < group.Count; i++)
            {
                outcomes[i] = await ApplyInSavepointAsync(db, tx, group[i], rollups);
            }
            // In agent order: the order every writer locks agents in.
            await rollups.FlushAsync(db, CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
            // Writes that failed in their savepoint, or go again alone, were not answered by this commit.
            telemetry?.Committed(outcomes.Count(o => o is null));
        }
        catch (Exception)
        {
            // The group's transaction is gone and none of it committed: each write again on its own, for its own answer.
            foreach (var write in group)
            {
                await WriteAloneAsync(write);
            }
            return;
        }
        for (var i = 0; i < group.Count; i++)
        {
            switch (outcomes[i])
            {
                case null:
                    group[i].Succeed();
                    break;
                case var failure when IsTransient(failure):
                    // A deadlock with another node's group, a statement timeout: alone, after this commit, it may well pass.
                    await WriteAloneAsync(group[i]);
                    break;
                case var failure:
                    group[i].Fail(failure);
                    break;
            }
        }
    }

    /// <summary>Applies one write in a savepoint: its failure undoes only its own changes and is returned, the group goes on.</summary>
    private static async Task<Exception?> ApplyInSavepointAsync(LedgerDbContext db, IDbContextTransaction tx, PendingWrite write, RollupBatch rollups)
    {
        await tx.CreateSavepointAsync(Savepoint, CancellationToken.None);
        var own = new RollupBatch();
        try
        {
            await write.ApplyAsync(db, own, CancellationToken.None);
            await tx.ReleaseSavepointAsync(Savepoint, CancellationToken.None);
            rollups.AddAll(own);
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // If even this fails the transaction is lost: the exception leaves the group, which starts over write by write.
            await tx.RollbackToSavepointAsync(Savepoint, CancellationToken.None);
            return ex;
        }
        finally
        {
            // Entities of a write (saved, or rolled back) must not be saved again by the next one.
            db.ChangeTracker.Clear();
        }
    }

    private async Task WriteAloneAsync(PendingWrite write)
    {
        try
        {
            await using var db = contexts.Create();
            db.Database.AutoSavepointsEnabled = false;
            await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
            var rollups = new RollupBatch();
            await write.ApplyAsync(db, rollups, CancellationToken.None);
            await rollups.FlushAsync(db, CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
            telemetry?.Committed(1);
        }
        catch (Exception ex)
        {
            write.Fail(ex);
            return;
        }
        write.Succeed();
    }

    private static bool IsTransient(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure }
        || (exception is not LedgerException && DatabaseFailures.IsUnavailable(exception));
}

/// <summary>More writes are waiting than <see cref="StorageOptions.WriteQueueLimit"/>: the request is refused (503, retry later), nothing written.</summary>
public sealed class WriteQueueFullException(int limit)
    : Exception($"{limit} writes are already waiting for the database; nothing was recorded for this request.");
