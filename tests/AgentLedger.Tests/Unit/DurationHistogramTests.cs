using AgentLedger.Core.Stats;

namespace AgentLedger.Tests.Unit;

[Trait("Database", "none")]   // no database: run once, not once per engine (scripts/test.sh)
public sealed class DurationHistogramTests
{
    private const long OneHourMs = 3_600_000;

    [Theory]
    [InlineData(0.50)]
    [InlineData(0.95)]
    [InlineData(0.99)]
    public void Percentiles_match_exact_nearest_rank_within_two_percent(double p)
    {
        var values = LogNormalDurations(10_000, seed: 42);
        var histogram = new DurationHistogram();
        foreach (var value in values)
        {
            histogram.Add(value);
        }

        var exact = ExactNearestRank(values, p);
        var estimate = histogram.Percentile(p);

        Assert.NotNull(estimate);
        Assert.InRange(RelativeError(estimate.Value, exact), 0, 0.02);
    }

    [Fact]
    public void Every_rank_is_within_relative_accuracy_of_the_raw_value()
    {
        var values = LogNormalDurations(10_000, seed: 7);
        var histogram = new DurationHistogram();
        foreach (var value in values)
        {
            histogram.Add(value);
        }

        for (var permille = 0; permille <= 1000; permille++)
        {
            var p = permille / 1000.0;
            var estimate = histogram.Percentile(p)!.Value;
            Assert.InRange(RelativeError(estimate, ExactNearestRank(values, p)), 0, DurationHistogram.RelativeAccuracy + 1e-12);
        }
    }

    [Fact]
    public void Merging_halves_equals_adding_everything_to_one()
    {
        var values = LogNormalDurations(10_000, seed: 1);
        var all = new DurationHistogram();
        var first = new DurationHistogram();
        var second = new DurationHistogram();
        for (var i = 0; i < values.Length; i++)
        {
            all.Add(values[i]);
            (i % 2 == 0 ? first : second).Add(values[i]);
        }

        first.Merge(second);

        Assert.Equal(all.Count, first.Count);
        Assert.Equal(all.ToBytes(), first.ToBytes());
        foreach (var p in new[] { 0, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1 })
        {
            Assert.Equal(all.Percentile(p), first.Percentile(p));
        }
    }

    [Fact]
    public void Merging_into_itself_doubles_counts()
    {
        var histogram = new DurationHistogram();
        histogram.Add(0);
        histogram.Add(10, 3);

        histogram.Merge(histogram);

        var expected = new DurationHistogram();
        expected.Add(0, 2);
        expected.Add(10, 6);
        Assert.Equal(expected.ToBytes(), histogram.ToBytes());
    }

    [Fact]
    public void Bytes_round_trip()
    {
        var histogram = new DurationHistogram();
        foreach (var value in LogNormalDurations(2_000, seed: 3))
        {
            histogram.Add(value);
        }

        histogram.Add(0, 5);
        histogram.Add(long.MaxValue);

        var bytes = histogram.ToBytes();
        var copy = DurationHistogram.FromBytes(bytes);

        Assert.Equal(histogram.Count, copy.Count);
        Assert.Equal(bytes, copy.ToBytes());
        foreach (var p in new[] { 0, 0.001, 0.5, 0.99, 1 })
        {
            Assert.Equal(histogram.Percentile(p), copy.Percentile(p));
        }
    }

    [Fact]
    public void Empty_histogram_round_trips_and_has_no_percentiles()
    {
        var empty = new DurationHistogram();

        Assert.True(empty.IsEmpty);
        Assert.Equal(0, empty.Count);
        Assert.Null(empty.Percentile(0.5));
        Assert.True(DurationHistogram.FromBytes(empty.ToBytes()).IsEmpty);
        Assert.True(DurationHistogram.FromBytes([]).IsEmpty);
    }

    [Fact]
    public void Zero_durations_use_the_zero_bucket()
    {
        var histogram = new DurationHistogram();
        histogram.Add(0, 3);
        histogram.Add(1000);

        Assert.Equal(4, histogram.Count);
        Assert.Equal(0, histogram.Percentile(0));
        Assert.Equal(0, histogram.Percentile(0.75));
        Assert.InRange(RelativeError(histogram.Percentile(0.76)!.Value, 1000), 0, 0.01);
    }

    [Fact]
    public void Single_value_is_every_percentile()
    {
        var histogram = new DurationHistogram();
        histogram.Add(250);

        var p0 = histogram.Percentile(0);
        Assert.False(histogram.IsEmpty);
        Assert.Equal(1, histogram.Count);
        Assert.Equal(p0, histogram.Percentile(0.5));
        Assert.Equal(p0, histogram.Percentile(1));
        Assert.InRange(RelativeError(p0!.Value, 250), 0, 0.01);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(2L)]
    [InlineData(3L)]
    [InlineData(999L)]
    [InlineData(OneHourMs - 1)]
    [InlineData(OneHourMs)]
    [InlineData(OneHourMs + 1)]
    [InlineData(long.MaxValue)]
    public void Bucket_representative_is_within_one_percent(long value)
    {
        var histogram = new DurationHistogram();
        histogram.Add(value);

        Assert.InRange(RelativeError(histogram.Percentile(0.5)!.Value, value), 0, DurationHistogram.RelativeAccuracy + 1e-12);
    }

    [Fact]
    public void Nearby_small_values_land_in_distinct_buckets_and_keep_order()
    {
        var histogram = new DurationHistogram();
        histogram.Add(1);
        histogram.Add(2);
        histogram.Add(OneHourMs);

        var low = histogram.Percentile(0)!.Value;
        var mid = histogram.Percentile(0.5)!.Value;
        var high = histogram.Percentile(1)!.Value;

        Assert.InRange(low, 0.99, 1.01);
        Assert.InRange(mid, 1.98, 2.02);
        Assert.InRange(high, OneHourMs * 0.99, OneHourMs * 1.01);
    }

    [Fact]
    public void Every_millisecond_up_to_ten_thousand_is_within_one_percent()
    {
        for (long value = 1; value <= 10_000; value++)
        {
            var histogram = new DurationHistogram();
            histogram.Add(value);
            Assert.InRange(RelativeError(histogram.Percentile(1)!.Value, value), 0, DurationHistogram.RelativeAccuracy + 1e-12);
        }
    }

    [Fact]
    public void Percentile_uses_nearest_rank()
    {
        var histogram = new DurationHistogram();
        for (long value = 1; value <= 4; value++)
        {
            histogram.Add(value * 100);
        }

        // rank = max(1, ceil(p * 4)): p=0.25 -> 1st, p=0.26 -> 2nd, p=0.5 -> 2nd, p=0.51 -> 3rd.
        Assert.InRange(histogram.Percentile(0.25)!.Value, 99, 101);
        Assert.InRange(histogram.Percentile(0.26)!.Value, 198, 202);
        Assert.InRange(histogram.Percentile(0.5)!.Value, 198, 202);
        Assert.InRange(histogram.Percentile(0.51)!.Value, 297, 303);
    }

    [Theory]
    [InlineData(-1L, 1L)]
    [InlineData(5L, 0L)]
    [InlineData(5L, -3L)]
    public void Add_rejects_invalid_arguments(long duration, long count)
    {
        var histogram = new DurationHistogram();
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.Add(duration, count));
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void Percentile_rejects_out_of_range_p(double p)
    {
        var histogram = new DurationHistogram();
        histogram.Add(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.Percentile(p));
    }

    public static TheoryData<byte[]> CorruptBytes => new()
    {
        new byte[] { 3, 0 },                                  // unknown version
        new byte[] { 2, 0 },                                  // version 2 without its extrema
        new byte[] { 2, 0, 0, 0, 2, 1 },                      // extrema of an empty histogram for a non-empty one
        new byte[] { 2, 0, 5, 5 },                            // extrema without any value
        new byte[] { 2, 1, 1, 1 },                            // a zero value but minimum 1
        new byte[] { 2, 0, 200, 1, 200, 1, 2, 1 },            // extrema far outside the only bucket
        new byte[] { 1 },                                     // missing zero count
        new byte[] { 1, 0x80 },                               // truncated varint
        new byte[] { 1, 0, 2 },                               // bucket index without count
        new byte[] { 1, 0, 2, 0 },                            // zero count bucket
        new byte[] { 1, 0, 2, 1, 0, 1 },                      // repeated index
        new byte[] { 1, 0, 4, 1, 1, 1 },                      // descending index
        new byte[] { 1, 0, 1, 1 },                            // negative index
        new byte[] { 1, 0, 0xFE, 0xFF, 0x03, 1 },             // index beyond any long duration
        new byte[] { 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, // zero count above long.MaxValue
        new byte[] { 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, // varint too long
        new byte[] { 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F }, // total overflows
    };

    [Fact]
    public void One_sample_is_every_percentile_of_itself()
    {
        // A bucket's midpoint for 2 085 ms is about 2 101 ms: reported as p50 above its own max before.
        var histogram = new DurationHistogram();
        histogram.Add(2_085);

        foreach (var p in new[] { 0, 0.5, 0.95, 0.99, 1 })
        {
            Assert.Equal(2_085, histogram.Percentile(p));
        }
        Assert.Equal(2_085, histogram.Min);
        Assert.Equal(2_085, histogram.Max);
        Assert.Equal(2_085, DurationHistogram.FromBytes(histogram.ToBytes()).Percentile(0.99));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(1_000)]
    public void Every_percentile_lies_within_min_and_max_also_after_merging_bytes(int count)
    {
        var values = LogNormalDurations(count, seed: count);
        var merged = new DurationHistogram();
        foreach (var chunk in values.Chunk(3))
        {
            var bucket = new DurationHistogram();
            foreach (var value in chunk)
            {
                bucket.Add(value);
            }
            merged.MergeBytes(bucket.ToBytes());
        }

        Assert.Equal(values.Min(), merged.Min);
        Assert.Equal(values.Max(), merged.Max);
        for (var permille = 0; permille <= 1000; permille += 5)
        {
            Assert.InRange(merged.Percentile(permille / 1000.0)!.Value, values.Min(), values.Max());
        }
    }

    [Fact]
    public void Merge_keeps_the_extrema_of_both_sides()
    {
        var low = new DurationHistogram();
        low.Add(0);
        low.Add(7);
        var high = new DurationHistogram();
        high.Add(90_001);

        low.Merge(high);
        low.Merge(new DurationHistogram());

        Assert.Equal(0, low.Min);
        Assert.Equal(90_001, low.Max);
        Assert.Equal(90_001, low.Percentile(1));
    }

    [Fact]
    public void A_version_1_encoding_still_reads_with_its_buckets_bounds_as_extrema()
    {
        // Version 1: zero count, then (index delta, count); one value in bucket IndexOf(2085).
        var index = (ulong)Math.Ceiling(Math.Log(2_085) / Math.Log(1.01 / 0.99));
        var legacy = new byte[] { 1, 0, (byte)((index << 1) | 0x80), (byte)(index >> 6), 1 };

        var histogram = DurationHistogram.FromBytes(legacy);

        Assert.Equal(1, histogram.Count);
        Assert.InRange(histogram.Min!.Value, 2_044, 2_085);
        Assert.InRange(histogram.Max!.Value, 2_085, 2_128);
        Assert.InRange(histogram.Percentile(0.5)!.Value, histogram.Min.Value, histogram.Max.Value);
        Assert.Equal(2, histogram.ToBytes()[0]);
    }

    [Fact]
    public void Ledger_totals_never_report_a_percentile_above_the_exact_max()
    {
        var index = (ulong)Math.Ceiling(Math.Log(2_085) / Math.Log(1.01 / 0.99));
        var totals = new LedgerTotals
        {
            DurationCount = 1,
            DurationSumMs = 2_085,
            DurationMaxMs = 2_085,
            Histogram = DurationHistogram.FromBytes([1, 0, (byte)((index << 1) | 0x80), (byte)(index >> 6), 1]),
        };

        Assert.Equal(2_085, totals.DurationPercentile(0.99));
    }

    [Theory]
    [MemberData(nameof(CorruptBytes))]
    public void Corrupt_bytes_throw_format_exception(byte[] bytes)
    {
        Assert.Throws<FormatException>(() => DurationHistogram.FromBytes(bytes));
    }

    [Fact]
    public void Truncated_real_encoding_throws_format_exception()
    {
        var histogram = new DurationHistogram();
        histogram.Add(OneHourMs, 300);
        var bytes = histogram.ToBytes();

        Assert.Throws<FormatException>(() => DurationHistogram.FromBytes(bytes.AsSpan(0, bytes.Length - 1)));
    }

    private static long[] LogNormalDurations(int count, int seed)
    {
        var random = new Random(seed);
        var values = new long[count];
        for (var i = 0; i < count; i++)
        {
            // Box-Muller; median ~2 s with a long tail, clamped to the 1 ms .. 1 h range agents actually see.
            var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            var value = Math.Exp(Math.Log(2_000) + (2 * normal));
            values[i] = Math.Clamp((long)Math.Round(value), 1, OneHourMs);
        }

        return values;
    }

    private static double ExactNearestRank(long[] values, double p)
    {
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Max(1, Math.Ceiling(p * sorted.Length));
        return sorted[rank - 1];
    }

    private static double RelativeError(double estimate, double exact) => Math.Abs(estimate - exact) / exact;

    [Fact]
    public void Same_buckets_ignores_the_extrema_that_a_format_1_rollup_could_not_keep()
    {
        var (a, b, other) = (new DurationHistogram(), new DurationHistogram(), new DurationHistogram());
        a.Add(1000);
        a.Add(0);
        b.Add(1001);   // the same 1 % bucket as 1000, another exact value
        b.Add(0);
        other.Add(1000);
        other.Add(2000);

        Assert.False(a.ToBytes().AsSpan().SequenceEqual(b.ToBytes()));
        Assert.True(a.HasSameBuckets(b));
        Assert.True(b.HasSameBuckets(a));
        Assert.False(a.HasSameBuckets(other));
        Assert.False(other.HasSameBuckets(a));
        Assert.True(a.HasSameBuckets(DurationHistogram.FromBytes(a.ToBytes())));
    }
}
