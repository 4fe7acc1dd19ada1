using AgentLedger.Storage.Rollups;

namespace AgentLedger.Storage.Writes;

/// <summary>
/// One request's write, applied inside a transaction the pipeline owns. Its rollup deltas go to
/// <paramref name="rollups"/>, which the pipeline writes once for the whole group.
/// </summary>
internal delegate Task<T> LedgerWrite<T>(LedgerDbContext db, RollupBatch rollups, CancellationToken cancellationToken);

/// <summary>A queued write as the pipeline sees it, whatever it returns.</summary>
internal abstract class PendingWrite(string orderKey)
{
    private const int Queued = 0, Taken = 1, Abandoned = 2;
    private int _state;

    /// <summary>Writes of one group are applied in this order (the agent's name): two nodes' groups then lock agents in one order.</summary>
    public string OrderKey { get; } = orderKey;

    /// <summary>The writer claims it; false when its request gave up waiting first.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

    /// <summary>Its request gives up waiting; false when a writer has taken it already (it will be written and answered).</summary>
    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Queued) == Queued;

    public abstract bool IsAnswered { get; }

    public abstract Task ApplyAsync(LedgerDbContext db, RollupBatch rollups, CancellationToken cancellationToken);

    /// <summary>Answers with what <see cref="ApplyAsync"/> produced: called only once the transaction that holds it has committed.</summary>
    public abstract void Succeed();

    public abstract void Fail(Exception exception);
}

internal sealed class PendingWrite<T>(string orderKey, LedgerWrite<T> write) : PendingWrite(orderKey)
{
    private readonly TaskCompletionSource<T> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;

    public Task<T> Answer => _answer.Task;

    public override bool IsAnswered => _answer.Task.IsCompleted;

    public override async Task ApplyAsync(LedgerDbContext db, RollupBatch rollups, CancellationToken cancellationToken) =>
        _result = await write(db, rollups, cancellationToken);

    public override void Succeed() => _answer.TrySetResult(_result!);

    public override void Fail(Exception exception) => _answer.TrySetException(exception);

    public void Cancel(CancellationToken cancellationToken) => _answer.TrySetCanceled(cancellationToken);
}
