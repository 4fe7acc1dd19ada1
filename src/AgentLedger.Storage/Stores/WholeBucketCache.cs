using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using AgentLedger.Core.Stats;

namespace AgentLedger.Storage.Stores;

/// <summary>
/// The merged duration histogram and metric sums of an agent's whole buckets in a window (its
/// whole days and hours). Merging them means reading a histogram blob and a metrics document per
/// bucket, about 900 rows for 26 agents over 30 days: half of a stats request's CPU, for buckets
/// that do not change once their hour is over. The counters of those buckets are summed by the
/// database on every request anyway; every change to a bucket (a run finished or back-filled, a
/// proposal recorded or decided) increases at least one of them and none ever decreases, so while
/// the summed counters are the same, the buckets are the same and so are their merged histogram
/// and metrics. A cached merge is used only then; otherwise the agent's buckets are read again.
/// </summary>
internal sealed class WholeBucketCache
{
    /// <summary>Windows of a few lengths, their previous periods, this hour's and the last one's: well under a few MB.</summary>
    private const int MaxEntries = 1024;

    private readonly ConcurrentDictionary<Key, Merged> _entries = new();

    /// <summary>Which buckets: the window's whole days and up to two ranges of whole hours.</summary>
    public readonly record struct Key(string Agent, TimeRange Days, TimeRange FirstHours, TimeRange LastHours);

    /// <summary>Summed counters of the buckets that any change to one of them increases.</summary>
    public readonly record struct Print(long Success, long Failed, long Timeout, long Cancelled, long Abandoned, long DurationCount, long Recorded, long Approved, long Rejected, long Expired)
    {
        public static Print operator +(Print a, Print b) => new(
            a.Success + b.Success, a.Failed + b.Failed, a.Timeout + b.Timeout, a.Cancelled + b.Cancelled, a.Abandoned + b.Abandoned,
            a.DurationCount + b.DurationCount, a.Recorded + b.Recorded, a.Approved + b.Approved, a.Rejected + b.Rejected, a.Expired + b.Expired);
    }

    /// <summary>Never handed out for changing: callers merge it into their own totals.</summary>
    public sealed record Merged(Print Print, DurationHistogram Histogram, IReadOnlyDictionary<string, double> MetricSums, long Stamp);

    private long _stamp;

    public bool TryGet(Key key, Print print, [NotNullWhen(true)] out Merged? merged)
    {
        merged = _entries.TryGetValue(key, out var found) && found.Print == print ? found : null;
        return merged is not null;
    }

    public void Add(Key key, Print print, DurationHistogram histogram, Dictionary<string, double> metricSums)
    {
        _entries[key] = new Merged(print, histogram, metricSums, Interlocked.Increment(ref _stamp));
        if (_entries.Count > MaxEntries)
        {
            // Windows slide forward: the entries added longest ago are the ones not asked for again.
            foreach (var old in _entries.OrderBy(e => e.Value.Stamp).Take(_entries.Count - MaxEntries / 2).ToList())
            {
                _entries.TryRemove(old.Key, out _);
            }
        }
    }
}
