namespace AgentLedger.Core.Stats;

/// <summary>
/// Mergeable log-bucket histogram of durations in whole milliseconds (DDSketch-style).
/// Every percentile estimate is within <see cref="RelativeAccuracy"/> of the true value at that rank,
/// and merging is exact, so per-hour/day rollups can be combined without re-reading raw rows.
/// </summary>
public sealed class DurationHistogram
{
    public const double RelativeAccuracy = 0.01;

    private const byte FormatVersion = 1;

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

    public long Count { get; private set; }

    public bool IsEmpty => Count == 0;

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
    }

    public void Merge(DurationHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);

        // Fail before mutating so an overflowing merge leaves this histogram untouched.
        Count = checked(Count + other.Count);
        _zeroCount += other._zeroCount;
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

    /// <summary>Nearest-rank percentile: rank = max(1, ceil(p * Count)), 1-based.</summary>
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
                return ValueOf(_first + i);
            }
        }

        throw new InvalidOperationException("Bucket counts do not add up to Count.");
    }

    public byte[] ToBytes()
    {
        var buffer = new List<byte>(2 + (_counts.Length * 3)) { FormatVersion };
        WriteVarint(buffer, (ulong)_zeroCount);

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

        if (bytes[0] != FormatVersion)
        {
            throw new FormatException($"Unsupported histogram format version {bytes[0]}.");
        }

        // Validate everything first, and learn the index range so the array grows at most once.
        var (zero, total, low, high) = Scan(bytes);
        Count = checked(Count + total);
        _zeroCount += zero;
        if (high < low)
        {
            return;
        }

        Cover(low, high);
        var position = 1;
        ReadVarint(bytes, ref position);
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

    /// <summary>Checks an encoding completely: its zero count, total count, and lowest and highest bucket index (high &lt; low when it has no buckets).</summary>
    private static (long Zero, long Total, int Low, int High) Scan(ReadOnlySpan<byte> bytes)
    {
        var position = 1;
        var zero = ReadVarint(bytes, ref position);
        if (zero > long.MaxValue)
        {
            throw new FormatException("Histogram zero count is out of range.");
        }

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

        return ((long)zero, total, low, high);
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
