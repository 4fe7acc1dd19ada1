using AgentLedger.Core.Common;
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

    /// <summary>Takes over another batch's deltas (a write that succeeded in a group joins the group's rollups).</summary>
    public void AddAll(RollupBatch other)
    {
        foreach (var ((agent, hour), delta) in other._deltas)
        {
            Add(agent, hour, delta);
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
