namespace AgentLedger.Core.Stats;

/// <summary>
/// Mergeable log-bucket histogram of durations in whole milliseconds (DDSketch-style).
/// Every percentile estimate is within <see cref="RelativeAccuracy"/> of the true value at that rank,
/// and merging is exact, so per-hour/day rollups can be combined without re-reading raw rows.
/// It also keeps the exact smallest and largest duration it holds, so an estimate never leaves
/// [min, max] of what it summarises (a bucket's midpoint can lie above a lone sample).
/// </summary>
public sealed class DurationHistogram
{
    public const double RelativeAccuracy = 0.01;

    // Version 1 (buckets only) is still read: rollups written before the extrema were kept.
    private const byte LegacyFormatVersion = 1;
    private const byte FormatVersion = 2;

    private static readonly double Gamma = (1 + RelativeAccuracy) / (1 - RelativeAccuracy);
    private static readonly double LogGamma = Math.Log(Gamma);

    // Bounds used to reject decoded indices that no real duration could produce.
    private static readonly int MaxIndex = IndexOf(long.MaxValue);

    // Bucket indices of real durations are small and dense (1 ms … 1 h spans ~760 of them), so the
    // counts live in an array covering [_first, _first + _counts.Length): adding, merging and the
    // ascending walks of percentiles and serialisation are plain array passes. A sorted map cost a
    // tree insert per bucket and dominated stats requests that merge hundreds of rollup buckets.
    private long[] _counts = [];
    private int _first;
    private long _zeroCount;
    private long _min = long.MaxValue;
    private long _max = long.MinValue;

    public long Count { get; private set; }

    public bool IsEmpty => Count == 0;

    /// <summary>The smallest duration held (exact unless merged from a version-1 encoding, then its bucket's lowest possible value).</summary>
    public long? Min => IsEmpty ? null : _min;

    /// <summary>The largest duration held (exact unless merged from a version-1 encoding, then its bucket's highest possible value).</summary>
    public long? Max => IsEmpty ? null : _max;

    public void Add(long durationMs, long count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(durationMs);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);

        if (durationMs == 0)
        {
            AddToZero(count);
        }
        else
        {
            AddToBucket(IndexOf(durationMs), count);
        }
        Extend(durationMs, durationMs);
    }

    public void Merge(DurationHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);

        // Fail before mutating so an overflowing merge leaves this histogram untouched.
        Count = checked(Count + other.Count);
        _zeroCount += other._zeroCount;
        if (!other.IsEmpty)
        {
            Extend(other._min, other._max);
        }
        if (other._counts.Length == 0)
        {
            return;
        }

        // Snapshot first so merging a histogram into itself adds its old counts, not the doubled ones.
        var counts = ReferenceEquals(other, this) ? (long[])other._counts.Clone() : other._counts;
        var first = other._first;
        Cover(first, first + counts.Length - 1);
        var target = _counts.AsSpan(first - _first, counts.Length);
        for (var i = 0; i < counts.Length; i++)
        {
            target[i] += counts[i];
        }
    }

    /// <summary>
    /// Nearest-rank percentile: rank = max(1, ceil(p * Count)), 1-based, clamped to [<see cref="Min"/>, <see cref="Max"/>]:
    /// clamping only moves an estimate towards the true value, which lies in that range too.
    /// </summary>
    public double? Percentile(double p)
    {
        if (double.IsNaN(p) || p < 0 || p > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "Percentile must be within [0, 1].");
        }

        if (IsEmpty)
        {
            return null;
        }

        // Clamp guards against p * Count rounding above Count for very large counts.
        var rank = (long)Math.Min(Math.Max(1, Math.Ceiling(p * Count)), Count);

        if (rank <= _zeroCount)
        {
            return 0;
        }

        var seen = _zeroCount;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Clamp(ValueOf(_first + i), _min, _max);
            }
        }

        throw new InvalidOperationException("Bucket counts do not add up to Count.");
    }

    /// <summary>
    /// Whether both hold the same count in every bucket. The extrema are left out: a rollup written
    /// in format 1 has only bucket bounds for them, and the exact maximum is verified on its own column.
    /// </summary>
    public bool HasSameBuckets(DurationHistogram other)
    {
        if (Count != other.Count || _zeroCount != other._zeroCount)
        {
            return false;
        }
        for (var index = Math.Min(_first, other._first); index < Math.Max(_first + _counts.Length, other._first + other._counts.Length); index++)
        {
            if (CountAt(index) != other.CountAt(index))
            {
                return false;
            }
        }
        return true;
    }

    private long CountAt(int index) => index >= _first && index < _first + _counts.Length ? _counts[index - _first] : 0;

    public byte[] ToBytes()
    {
        var buffer = new List<byte>(12 + (_counts.Length * 3)) { FormatVersion };
        WriteVarint(buffer, (ulong)_zeroCount);
        WriteVarint(buffer, IsEmpty ? 0 : (ulong)_min);
        WriteVarint(buffer, IsEmpty ? 0 : (ulong)_max);

        var previous = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            if (_counts[i] == 0)
            {
                continue;
            }
            var index = _first + i;
            WriteVarint(buffer, ZigZagEncode((long)index - previous));
            WriteVarint(buffer, (ulong)_counts[i]);
            previous = index;
        }

        return [.. buffer];
    }

    public static DurationHistogram FromBytes(ReadOnlySpan<byte> bytes)
    {
        var histogram = new DurationHistogram();
        histogram.MergeBytes(bytes);
        return histogram;
    }

    /// <summary>
    /// Adds a histogram in the form <see cref="ToBytes"/> writes, without materialising it: stats
    /// merge hundreds of stored rollup histograms per request. Corrupt bytes throw
    /// <see cref="FormatException"/> and leave this histogram unchanged.
    /// </summary>
    public void MergeBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        if (bytes[0] is not (FormatVersion or LegacyFormatVersion))
        {
            throw new FormatException($"Unsupported histogram format version {bytes[0]}.");
        }

        // Validate everything first, and learn the index range so the array grows at most once.
        var (zero, total, low, high, min, max, position) = Scan(bytes);
        Count = checked(Count + total);
        _zeroCount += zero;
        if (total > 0)
        {
            Extend(min, max);
        }
        if (high < low)
        {
            return;
        }

        Cover(low, high);
        var index = 0;
        while (position < bytes.Length)
        {
            index += (int)ZigZagDecode(ReadVarint(bytes, ref position));
            _counts[index - _first] += (long)ReadVarint(bytes, ref position);
        }
    }

    internal static int IndexOf(long durationMs) => (int)Math.Ceiling(Math.Log(durationMs) / LogGamma);

    // Midpoint (in relative terms) of (gamma^(i-1), gamma^i], which bounds the error by RelativeAccuracy.
    internal static double ValueOf(int index) => 2 * Math.Pow(Gamma, index) / (Gamma + 1);

    // Smallest and largest whole millisecond a bucket can hold: the bounds a version-1 encoding implies.
    private static long LowestIn(int index)
    {
        var value = Math.Max(1, (long)Math.Floor(Math.Pow(Gamma, index - 1)));
        while (IndexOf(value) < index)
        {
            value++;
        }
        while (value > 1 && IndexOf(value - 1) == index)
        {
            value--;
        }
        return value;
    }

    private static long HighestIn(int index)
    {
        if (index >= MaxIndex)
        {
            return long.MaxValue;
        }
        var value = Math.Max(1, (long)Math.Min(Math.Floor(Math.Pow(Gamma, index)), long.MaxValue - 1));
        while (IndexOf(value) > index)
        {
            value--;
        }
        while (IndexOf(value + 1) == index)
        {
            value++;
        }
        return value;
    }

    private void Extend(long min, long max)
    {
        _min = Math.Min(_min, min);
        _max = Math.Max(_max, max);
    }

    private void AddToZero(long count)
    {
        Count = checked(Count + count);
        _zeroCount += count;
    }

    private void AddToBucket(int index, long count)
    {
        Count = checked(Count + count);
        Cover(index, index);
        _counts[index - _first] += count;
    }

    /// <summary>Grows the array to cover bucket indices [low, high], with slack so a stream of adds does not reallocate each time.</summary>
    private void Cover(int low, int high)
    {
        if (_counts.Length == 0)
        {
            _first = low;
            _counts = new long[high - low + 1];
            return;
        }
        var last = _first + _counts.Length - 1;
        if (low >= _first && high <= last)
        {
            return;
        }
        // Geometric slack: decoding (ascending indices) and streams of adds reallocate a logarithmic number of times.
        var slack = Math.Max(16, _counts.Length / 2);
        var newFirst = low < _first ? Math.Max(0, Math.Min(low, _first - slack)) : _first;
        var newLast = high > last ? Math.Max(high, last + slack) : last;
        var grown = new long[newLast - newFirst + 1];
        _counts.CopyTo(grown, _first - newFirst);
        _counts = grown;
        _first = newFirst;
    }

    /// <summary>
    /// Checks an encoding completely: its zero count, total count, lowest and highest bucket index
    /// (high &lt; low when it has no buckets), smallest and largest duration, and where the buckets start.
    /// </summary>
    private static (long Zero, long Total, int Low, int High, long Min, long Max, int BucketsAt) Scan(ReadOnlySpan<byte> bytes)
    {
        var position = 1;
        var zero = ReadVarint(bytes, ref position);
        if (zero > long.MaxValue)
        {
            throw new FormatException("Histogram zero count is out of range.");
        }
        ulong? storedMin = null, storedMax = null;
        if (bytes[0] == FormatVersion)
        {
            storedMin = ReadVarint(bytes, ref position);
            storedMax = ReadVarint(bytes, ref position);
        }
        var bucketsAt = position;

        var total = (long)zero;
        long previous = 0;
        var first = true;
        int low = 0, high = -1;
        while (position < bytes.Length)
        {
            var delta = ZigZagDecode(ReadVarint(bytes, ref position));
            var count = ReadVarint(bytes, ref position);

            // Indices are written strictly ascending; anything else means the bytes are corrupt.
            if (!first && delta <= 0)
            {
                throw new FormatException("Histogram bucket indices are not strictly ascending.");
            }

            if (delta < -MaxIndex || delta > MaxIndex || previous + delta < 0 || previous + delta > MaxIndex)
            {
                throw new FormatException("Histogram bucket index is out of range.");
            }

            if (count == 0 || count > long.MaxValue)
            {
                throw new FormatException("Histogram bucket count is out of range.");
            }

            previous += delta;
            if (first)
            {
                low = (int)previous;
            }
            high = (int)previous;
            total = total > long.MaxValue - (long)count
                ? throw new FormatException("Histogram total count overflows.")
                : total + (long)count;
            first = false;
        }

        if (total == 0)
        {
            return storedMin is null or 0 && storedMax is null or 0
                ? (0, 0, low, high, 0, 0, bucketsAt)
                : throw new FormatException("An empty histogram has no extrema.");
        }

        // The extrema must fall in the lowest and highest non-empty bucket, or the bytes are corrupt.
        var lowest = zero > 0 ? 0 : LowestIn(low);
        var highest = high >= low ? HighestIn(high) : 0;
        if (storedMin is null)
        {
            return ((long)zero, total, low, high, lowest, highest, bucketsAt);
        }
        var min = storedMin.Value > long.MaxValue ? throw new FormatException("Histogram minimum is out of range.") : (long)storedMin.Value;
        var max = storedMax!.Value > long.MaxValue ? throw new FormatException("Histogram maximum is out of range.") : (long)storedMax.Value;
        var minFits = zero > 0 ? min == 0 : IndexOf(Math.Max(min, 1)) == low && min > 0;
        var maxFits = high >= low ? max > 0 && IndexOf(max) == high : max == 0;
        if (!minFits || !maxFits)
        {
            throw new FormatException("Histogram extrema do not match its buckets.");
        }
        return ((long)zero, total, low, high, min, max, bucketsAt);
    }

    private static void WriteVarint(List<byte> buffer, ulong value)
    {
        while (value >= 0x80)
        {
            buffer.Add((byte)(value | 0x80));
            value >>= 7;
        }

        buffer.Add((byte)value);
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= bytes.Length)
            {
                throw new FormatException("Histogram bytes are truncated.");
            }

            var b = bytes[position++];

            // The tenth byte may only carry the single remaining bit of a 64-bit value.
            if (shift == 63 && b > 1)
            {
                throw new FormatException("Histogram varint overflows 64 bits.");
            }

            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new FormatException("Histogram varint is too long.");
    }

    private static ulong ZigZagEncode(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static long ZigZagDecode(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
