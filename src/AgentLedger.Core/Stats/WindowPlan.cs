namespace AgentLedger.Core.Stats;

/// <summary>Half-open UTC range [Start, End).</summary>
public readonly record struct TimeRange(DateTimeOffset Start, DateTimeOffset End);

/// <summary>
/// Splits [from, to) into the cheapest exact set of reads: whole UTC days from daily rollups,
/// whole UTC hours from hourly rollups, and only the sub-hour edges from raw rows.
/// The ranges are disjoint and their union is exactly [from, to).
/// </summary>
public sealed record WindowPlan(
    IReadOnlyList<TimeRange> Raw,
    IReadOnlyList<TimeRange> Hours,
    TimeRange? Days)
{
    private static readonly WindowPlan Empty = new([], [], null);

    public static WindowPlan Create(DateTimeOffset from, DateTimeOffset to)
    {
        if (to < from)
        {
            throw new ArgumentException($"Window end {to:O} is before its start {from:O}.", nameof(to));
        }

        // Rollup buckets are keyed by UTC instants, so all alignment happens on UTC ticks.
        var start = from.UtcTicks;
        var end = to.UtcTicks;
        if (start == end)
        {
            return Empty;
        }

        var hourStart = CeilTo(start, TimeSpan.TicksPerHour);
        var hourEnd = FloorTo(end, TimeSpan.TicksPerHour);

        // No whole hour fits: the range lies within one hour or straddles a single hour boundary.
        if (hourStart >= hourEnd)
        {
            var raw = new List<TimeRange>(2);
            var split = Math.Min(hourStart, end);
            AddIfNonEmpty(raw, start, split);
            AddIfNonEmpty(raw, split, end);
            return new WindowPlan(raw, [], null);
        }

        var rawEdges = new List<TimeRange>(2);
        AddIfNonEmpty(rawEdges, start, hourStart);
        AddIfNonEmpty(rawEdges, hourEnd, end);

        // Midnights are hour boundaries, so aligning the hour span to days loses nothing.
        var dayStart = CeilTo(hourStart, TimeSpan.TicksPerDay);
        var dayEnd = FloorTo(hourEnd, TimeSpan.TicksPerDay);

        var hours = new List<TimeRange>(2);
        if (dayStart >= dayEnd)
        {
            AddIfNonEmpty(hours, hourStart, hourEnd);
            return new WindowPlan(rawEdges, hours, null);
        }

        AddIfNonEmpty(hours, hourStart, dayStart);
        AddIfNonEmpty(hours, dayEnd, hourEnd);
        return new WindowPlan(rawEdges, hours, Range(dayStart, dayEnd));
    }

    private static void AddIfNonEmpty(List<TimeRange> ranges, long start, long end)
    {
        if (start < end)
        {
            ranges.Add(Range(start, end));
        }
    }

    private static TimeRange Range(long start, long end) =>
        new(new DateTimeOffset(start, TimeSpan.Zero), new DateTimeOffset(end, TimeSpan.Zero));

    private static long FloorTo(long ticks, long unit) => ticks - (ticks % unit);

    // Clamped because the next boundary after the last representable hour does not exist;
    // in that case no whole unit fits anyway, which the callers' start >= end checks handle.
    private static long CeilTo(long ticks, long unit)
    {
        var floor = FloorTo(ticks, unit);
        return floor == ticks ? ticks : Math.Min(floor + unit, DateTimeOffset.MaxValue.UtcTicks);
    }
}
