namespace AgentLedger.Storage.Writes;

/// <summary>
/// Queues the ledger's write transactions in-process on SQLite. A SQLite file has one writer at a
/// time; writers that collide wait in SQLite's busy handler, which sleeps in growing steps (1, 2,
/// 5, 10 … ms), so a burst of short transactions (concurrent runs, reports) turned into 100 ms
/// latency spikes and lost throughput. Waiting on a semaphore wakes a writer the moment the previous
/// one commits. Other processes on the same file still meet the busy timeout. PostgreSQL runs
/// writers concurrently (per-agent advisory locks), so there the gate is open.
/// </summary>
internal sealed class WriteGate(bool serialize)
{
    private readonly SemaphoreSlim? _gate = serialize ? new SemaphoreSlim(1, 1) : null;

    public async ValueTask<Releaser> EnterAsync(CancellationToken cancellationToken)
    {
        if (_gate is null)
        {
            return default;
        }
        await _gate.WaitAsync(cancellationToken);
        return new Releaser(_gate);
    }

    public readonly struct Releaser(SemaphoreSlim? gate) : IDisposable
    {
        public void Dispose() => gate?.Release();
    }
}
