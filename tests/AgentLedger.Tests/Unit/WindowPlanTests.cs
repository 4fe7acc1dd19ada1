using AgentLedger.Core.Stats;

namespace AgentLedger.Tests.Unit;

[Trait("Database", "none")]   // no database: run once, not once per engine (scripts/test.sh)
public sealed class WindowPlanTests
{
    private static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0, int ms = 0) =>
        new(year, month, day, hour, minute, second, ms, TimeSpan.Zero);

    private static TimeRange Range(DateTimeOffset start, DateTimeOffset end) => new(start, end);

    [Fact]
    public void Empty_window_reads_nothing()
    {
        var at = Utc(2025, 3, 15, 12, 34);

        var plan = WindowPlan.Create(at, at);

        Assert.Empty(plan.Raw);
        Assert.Empty(plan.Hours);
        Assert.Null(plan.Days);
    }

    [Fact]
    public void Reversed_window_throws()
    {
        var at = Utc(2025, 3, 15);
        Assert.Throws<ArgumentException>(() => WindowPlan.Create(at, at.AddTicks(-1)));
    }

    [Fact]
    public void Same_hour_is_a_single_raw_range()
    {
        var from = Utc(2025, 3, 15, 10, 5);
        var to = Utc(2025, 3, 15, 10, 55);

        var plan = WindowPlan.Create(from, to);

        Assert.Equal([Range(from, to)], plan.Raw);
        Assert.Empty(plan.Hours);
        Assert.Null(plan.Days);
    }

    [Fact]
    public void Crossing_one_hour_boundary_splits_raw_at_the_hour()
    {
        var from = Utc(2025, 3, 15, 10, 30);
        var to = Utc(2025, 3, 15, 11, 20);

        var plan = WindowPlan.Create(from, to);

        Assert.Equal([Range(from, Utc(2025, 3, 15, 11)), Range(Utc(2025, 3, 15, 11), to)], plan.Raw);
        Assert.Empty(plan.Hours);
        Assert.Null(plan.Days);
    }

    [Fact]
    public void Exactly_one_day_from_midnight_is_days_only()
    {
        var from = Utc(2025, 3, 15);

        var plan = WindowPlan.Create(from, from.AddHours(24));

        Assert.Empty(plan.Raw);
        Assert.Empty(plan.Hours);
        Assert.Equal(Range(from, Utc(2025, 3, 16)), plan.Days);
    }

    [Fact]
    public void Whole_hours_within_a_day_are_hours_only()
    {
        var plan = WindowPlan.Create(Utc(2025, 3, 15, 3), Utc(2025, 3, 15, 9));

        Assert.Empty(plan.Raw);
        Assert.Equal([Range(Utc(2025, 3, 15, 3), Utc(2025, 3, 15, 9))], plan.Hours);
        Assert.Null(plan.Days);
    }

    [Fact]
    public void Thirty_days_ending_mid_hour_uses_all_three_tiers()
    {
        var to = Utc(2025, 3, 15, 12, 34, 56, 789);
        var from = to.AddDays(-30);

        var plan = WindowPlan.Create(from, to);

        Assert.Equal(
            [Range(from, Utc(2025, 2, 13, 13)), Range(Utc(2025, 3, 15, 12), to)],
            plan.Raw);
        Assert.Equal(
            [Range(Utc(2025, 2, 13, 13), Utc(2025, 2, 14)), Range(Utc(2025, 3, 15), Utc(2025, 3, 15, 12))],
            plan.Hours);
        Assert.Equal(Range(Utc(2025, 2, 14), Utc(2025, 3, 15)), plan.Days);
    }

    [Fact]
    public void Input_offsets_are_aligned_on_utc_and_output_is_utc()
    {
        var offset = TimeSpan.FromHours(5.5);
        var from = new DateTimeOffset(2025, 3, 15, 5, 30, 0, offset); // 00:00Z
        var to = new DateTimeOffset(2025, 3, 17, 5, 30, 0, offset);   // 00:00Z two days later

        var plan = WindowPlan.Create(from, to);

        Assert.Empty(plan.Raw);
        Assert.Empty(plan.Hours);
        Assert.Equal(Range(Utc(2025, 3, 15), Utc(2025, 3, 17)), plan.Days);
        Assert.Equal(TimeSpan.Zero, plan.Days!.Value.Start.Offset);
        Assert.Equal(TimeSpan.Zero, plan.Days.Value.End.Offset);
    }

    [Fact]
    public void Just_under_two_days_across_midnight_has_no_whole_day()
    {
        var from = Utc(2025, 3, 15, 0, 30);
        var to = Utc(2025, 3, 16, 23, 30);

        var plan = WindowPlan.Create(from, to);

        Assert.Null(plan.Days);
        Assert.Equal([Range(from, Utc(2025, 3, 15, 1)), Range(Utc(2025, 3, 16, 23), to)], plan.Raw);
        Assert.Equal([Range(Utc(2025, 3, 15, 1), Utc(2025, 3, 16, 23))], plan.Hours);
    }

    [Fact]
    public void Extreme_instants_do_not_overflow()
    {
        var lastHour = DateTimeOffset.MaxValue.AddMinutes(-30);
        var plan = WindowPlan.Create(lastHour, DateTimeOffset.MaxValue);
        Assert.Equal([Range(lastHour, DateTimeOffset.MaxValue)], plan.Raw);

        plan = WindowPlan.Create(DateTimeOffset.MinValue, DateTimeOffset.MinValue.AddDays(1));
        Assert.Equal(Range(DateTimeOffset.MinValue, DateTimeOffset.MinValue.AddDays(1)), plan.Days);
    }

    [Fact]
    public void Random_windows_are_covered_exactly_and_cheaply()
    {
        var random = new Random(20250315);
        var epoch = Utc(2024, 1, 1).UtcTicks;
        for (var i = 0; i < 5_000; i++)
        {
            var from = RandomInstant(random, epoch);
            var to = from + RandomLength(random);
            if (random.Next(4) == 0)
            {
                to = SnapToBoundary(random, to);
            }

            if (to < from)
            {
                (from, to) = (to, from);
            }

            AssertPlanInvariants(from, to, WindowPlan.Create(from, to));
        }
    }

    private static DateTimeOffset RandomInstant(Random random, long epoch)
    {
        var utc = new DateTimeOffset(epoch + random.NextInt64(2 * TimeSpan.TicksPerDay * 365), TimeSpan.Zero);
        utc = random.Next(3) == 0 ? SnapToBoundary(random, utc) : utc;

        // Same instant expressed in a non-UTC offset must plan identically.
        var offsetMinutes = random.Next(-14 * 4, (14 * 4) + 1) * 15;
        return utc.ToOffset(TimeSpan.FromMinutes(offsetMinutes));
    }

    private static DateTimeOffset SnapToBoundary(Random random, DateTimeOffset value)
    {
        var unit = random.Next(2) == 0 ? TimeSpan.TicksPerHour : TimeSpan.TicksPerDay;
        var ticks = value.UtcTicks - (value.UtcTicks % unit);
        return new DateTimeOffset(ticks, TimeSpan.Zero).ToOffset(value.Offset);
    }

    private static TimeSpan RandomLength(Random random) => random.Next(6) switch
    {
        0 => TimeSpan.FromHours(random.Next(0, 400 * 24 + 1)),
        1 => TimeSpan.FromDays(random.Next(0, 401)),
        2 => TimeSpan.FromMinutes(random.Next(1, 180)),
        // Log-uniform between one minute and 400 days so short and long windows are both common.
        _ => TimeSpan.FromTicks((long)Math.Exp(Math.Log(TimeSpan.TicksPerMinute) + (random.NextDouble() * Math.Log(400.0 * 24 * 60)))),
    };

    private static void AssertPlanInvariants(DateTimeOffset from, DateTimeOffset to, WindowPlan plan)
    {
        Assert.True(plan.Raw.Count <= 2);
        Assert.True(plan.Hours.Count <= 2);

        var all = plan.Raw.Concat(plan.Hours).Concat(plan.Days is { } d ? [d] : Array.Empty<TimeRange>()).ToList();
        foreach (var range in all)
        {
            Assert.True(range.Start < range.End, $"empty range in plan for [{from:O}, {to:O})");
            Assert.Equal(TimeSpan.Zero, range.Start.Offset);
            Assert.Equal(TimeSpan.Zero, range.End.Offset);
        }

        foreach (var raw in plan.Raw)
        {
            Assert.True(raw.End - raw.Start < TimeSpan.FromHours(1));
        }

        foreach (var hours in plan.Hours)
        {
            Assert.Equal(0, hours.Start.UtcTicks % TimeSpan.TicksPerHour);
            Assert.Equal(0, hours.End.UtcTicks % TimeSpan.TicksPerHour);
            Assert.False(ContainsWholeUtcDay(hours.Start, hours.End), $"hours {hours} cover a whole day");
        }

        if (plan.Days is { } days)
        {
            Assert.Equal(0, days.Start.UtcTicks % TimeSpan.TicksPerDay);
            Assert.Equal(0, days.End.UtcTicks % TimeSpan.TicksPerDay);
        }

        Assert.Equal(ContainsWholeUtcDay(from, to), plan.Days is not null);

        // Sorted, the ranges must tile [from, to) with no gap and no overlap.
        var cursor = from.UtcTicks;
        foreach (var range in all.OrderBy(r => r.Start))
        {
            Assert.Equal(cursor, range.Start.UtcTicks);
            cursor = range.End.UtcTicks;
        }

        Assert.Equal(to.UtcTicks, cursor);
    }

    private static bool ContainsWholeUtcDay(DateTimeOffset start, DateTimeOffset end)
    {
        var remainder = start.UtcTicks % TimeSpan.TicksPerDay;
        var firstMidnight = remainder == 0 ? start.UtcTicks : start.UtcTicks - remainder + TimeSpan.TicksPerDay;
        return firstMidnight + TimeSpan.TicksPerDay <= end.UtcTicks;
    }
}
