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

    // Sorted so percentile walks and serialisation are a single ascending pass.
    private readonly SortedDictionary<int, long> _buckets = [];
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
        _ = checked(Count + other.Count);

        // Snapshot first so merging a histogram into itself does not mutate while enumerating.
        var buckets = other._buckets.ToArray();
        var zero = other._zeroCount;

        if (zero > 0)
        {
            AddToZero(zero);
        }

        foreach (var (index, count) in buckets)
        {
            AddToBucket(index, count);
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
        foreach (var (index, count) in _buckets)
        {
            seen += count;
            if (seen >= rank)
            {
                return ValueOf(index);
            }
        }

        throw new InvalidOperationException("Bucket counts do not add up to Count.");
    }

    public byte[] ToBytes()
    {
        var buffer = new List<byte>(2 + (_buckets.Count * 3)) { FormatVersion };
        WriteVarint(buffer, (ulong)_zeroCount);

        var previous = 0;
        foreach (var (index, count) in _buckets)
        {
            WriteVarint(buffer, ZigZagEncode((long)index - previous));
            WriteVarint(buffer, (ulong)count);
            previous = index;
        }

        return [.. buffer];
    }

    public static DurationHistogram FromBytes(ReadOnlySpan<byte> bytes)
    {
        var histogram = new DurationHistogram();
        if (bytes.IsEmpty)
        {
            return histogram;
        }

        if (bytes[0] != FormatVersion)
        {
            throw new FormatException($"Unsupported histogram format version {bytes[0]}.");
        }

        try
        {
            Decode(bytes, histogram);
        }
        catch (OverflowException ex)
        {
            throw new FormatException("Histogram total count overflows.", ex);
        }

        return histogram;
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
        _buckets[index] = _buckets.TryGetValue(index, out var existing) ? existing + count : count;
    }

    private static void Decode(ReadOnlySpan<byte> bytes, DurationHistogram histogram)
    {
        var position = 1;
        var zero = ReadVarint(bytes, ref position);
        if (zero > long.MaxValue)
        {
            throw new FormatException("Histogram zero count is out of range.");
        }

        if (zero > 0)
        {
            histogram.AddToZero((long)zero);
        }

        long previous = 0;
        var first = true;
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
            histogram.AddToBucket((int)previous, (long)count);
            first = false;
        }
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
