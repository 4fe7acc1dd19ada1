using AgentLedger.Core.Executions;

namespace AgentLedger.Core.Stats;

public enum BucketPeriod
{
    Hour,
    Day,
}

/// <summary>The newest facts about an agent's runs, read with index seeks, not scans.</summary>
public sealed record LatestRuns(
    Execution? Last,
    DateTimeOffset? LastSuccessAt,
    Execution? LastFailure,
    long ConsecutiveFailures);

/// <summary>One history bucket; <see cref="Archived"/> when its raw rows have moved to the archive (its totals are kept).</summary>
public sealed record SeriesPoint(DateTimeOffset Start, LedgerTotals Totals, bool Archived = false);

/// <summary>Reads the ledger's rollups and raw rows; cost bounded by the window's bucket count, not by history.</summary>
public interface IStatsSource
{
    /// <summary>Exact totals for executions started (and proposals created) in [from, to).</summary>
    Task<IReadOnlyDictionary<string, LedgerTotals>> TotalsAsync(IReadOnlyCollection<string> agents, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>All-time counters and duration sums of each agent; no duration histogram and no metric sums (the stats show neither for all time).</summary>
    Task<IReadOnlyDictionary<string, LedgerTotals>> AllTimeAsync(IReadOnlyCollection<string> agents, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, LatestRuns>> LatestAsync(IReadOnlyCollection<string> agents, CancellationToken cancellationToken);

    /// <summary>One point per bucket whose start lies in [from, to), oldest first, empty buckets included.</summary>
    Task<IReadOnlyList<SeriesPoint>> SeriesAsync(string agent, DateTimeOffset from, DateTimeOffset to, BucketPeriod period, CancellationToken cancellationToken);
}
