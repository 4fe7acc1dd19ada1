using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Stats;

namespace AgentLedger.Storage.Rollups;

/// <summary>
/// Collects the rollup deltas of many runs written in one transaction and adds them per agent and hour, so a
/// batch of 512 runs reads and upserts each bucket once instead of 512 times. The sums are the same: deltas merge.
/// </summary>
internal sealed class RollupBatch
{
    private readonly SortedDictionary<(string Agent, DateTimeOffset Hour), LedgerTotals> _deltas = new(Comparer<(string, DateTimeOffset)>.Create(
        (a, b) => string.CompareOrdinal(a.Item1, b.Item1) is var byName and not 0 ? byName : a.Item2.CompareTo(b.Item2)));

    public void Add(string agentName, DateTimeOffset instant, LedgerTotals delta)
    {
        var key = (agentName, LedgerTime.FloorHour(instant));
        if (_deltas.TryGetValue(key, out var totals))
        {
            totals.Merge(delta);
        }
        else
        {
            _deltas[key] = delta;
        }
    }

    /// <summary>A finished (or started) run, counted into its agent's hour without a delta object of its own.</summary>
    public void AddRun(string agentName, DateTimeOffset startedAt, ExecutionStatus status, long? durationMs, long proposalsCreated, long resourcesProcessed, IReadOnlyDictionary<string, double>? metrics)
    {
        var key = (agentName, LedgerTime.FloorHour(startedAt));
        if (!_deltas.TryGetValue(key, out var totals))
        {
            _deltas[key] = totals = new LedgerTotals();
        }
        totals.AddExecution(status, durationMs, proposalsCreated, resourcesProcessed, metrics);
    }

    /// <summary>
    /// Adds another batch's deltas (a write that succeeded in a group joins the group's rollups) as copies: the other
    /// batch stays as it was, so a write applied again (alone, after its group failed) adds exactly the same again.
    /// </summary>
    public void AddAll(RollupBatch other)
    {
        foreach (var ((agent, hour), delta) in other._deltas)
        {
            var copy = new LedgerTotals();
            copy.Merge(delta);
            Add(agent, hour, copy);
        }
    }

    /// <summary>Writes every bucket, in agent-name order (the order concurrent writers lock agents in).</summary>
    public async Task FlushAsync(LedgerDbContext db, CancellationToken cancellationToken)
    {
        foreach (var ((agent, hour), delta) in _deltas)
        {
            await RollupWriter.AddAsync(db, agent, hour, delta, cancellationToken);
        }
        _deltas.Clear();
    }
}
