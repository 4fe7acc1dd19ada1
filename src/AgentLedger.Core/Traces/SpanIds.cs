using System.Security.Cryptography;
using System.Text;

namespace AgentLedger.Core.Traces;

/// <summary>
/// The execution id of an agent span, derived from its trace and span ids, so every redelivery of the span names
/// the same execution and is recognised as already recorded. It is an RFC 9562 version 8 UUID laid out so that
/// one index serves two lookups: its first 48 bits come from the trace id alone (its last six bytes, the ones
/// W3C trace context keeps random; a trace id that is not 32 hex digits is hashed), the rest is a name-based hash
/// of trace and span. All runs of a trace therefore lie in one narrow range of the id index (<see cref="TraceRange"/>), and
/// <c>?trace_id=</c> needs no index of its own: a second index keyed by a random trace id would cost every
/// recorded span one more randomly placed page to write and commit, which was a third of an OTLP batch's time.
/// </summary>
public static class SpanIds
{
    // A fixed namespace of our own, so these hashes cannot collide with other name-based ids of the same strings.
    private static readonly byte[] Namespace = Guid.Parse("5b0e8d2c-4f1a-4c3e-9a57-0f3c1d2e6a91").ToByteArray(bigEndian: true);

    private const int TraceBytes = 6;

    public static Guid ExecutionId(string traceId, string spanId)
    {
        Span<byte> id = stackalloc byte[16];
        TracePrefix(traceId, id[..TraceBytes]);
        Span<byte> hash = stackalloc byte[20];
        Hash(traceId, spanId, hash);
        hash[..(16 - TraceBytes)].CopyTo(id[TraceBytes..]);
        id[6] = (byte)((id[6] & 0x0F) | 0x80);
        id[8] = (byte)((id[8] & 0x3F) | 0x80);
        return new Guid(id, bigEndian: true);
    }

    /// <summary>The lowest and highest id any span of <paramref name="traceId"/> can have (in byte order, as both engines sort ids).</summary>
    public static (Guid Lowest, Guid Highest) TraceRange(string traceId)
    {
        Span<byte> low = stackalloc byte[16];
        TracePrefix(traceId, low[..TraceBytes]);
        Span<byte> high = stackalloc byte[16];
        low[..TraceBytes].CopyTo(high);
        high[TraceBytes..].Fill(0xFF);
        return (new Guid(low, bigEndian: true), new Guid(high, bigEndian: true));
    }

    private static void TracePrefix(string traceId, Span<byte> destination)
    {
        if (traceId.Length == 32 && Convert.FromHexString(traceId.AsSpan(32 - 2 * TraceBytes), destination, out _, out var written) == System.Buffers.OperationStatus.Done && written == TraceBytes)
        {
            return;
        }
        Span<byte> hash = stackalloc byte[20];
        Hash(traceId, null, hash);
        hash[..destination.Length].CopyTo(destination);
    }

    /// <summary>SHA-1 of the namespace, the trace id and, when given, ':' and the span id.</summary>
    private static void Hash(string traceId, string? spanId, Span<byte> hash)
    {
        // Hex ids are ASCII: at most 32 + 1 + 16 bytes after the namespace, so no allocation per id.
        var length = Namespace.Length + Encoding.UTF8.GetByteCount(traceId) + (spanId is null ? 0 : 1 + Encoding.UTF8.GetByteCount(spanId));
        Span<byte> input = length <= 128 ? stackalloc byte[length] : new byte[length];
        Namespace.CopyTo(input);
        var written = Namespace.Length + Encoding.UTF8.GetBytes(traceId, input[Namespace.Length..]);
        if (spanId is not null)
        {
            input[written++] = (byte)':';
            Encoding.UTF8.GetBytes(spanId, input[written..]);
        }
#pragma warning disable CA5350 // SHA-1 is what name-based UUIDs are defined with; it is not used for security here.
        SHA1.HashData(input, hash);
#pragma warning restore CA5350
    }
}
