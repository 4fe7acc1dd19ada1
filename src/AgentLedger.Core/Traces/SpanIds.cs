using System.Security.Cryptography;
using System.Text;

namespace AgentLedger.Core.Traces;

/// <summary>
/// The execution id of an agent span: a name-based UUID (RFC 9562 version 5) of its trace and span ids, so
/// every redelivery of the span names the same execution and is recognised as already recorded.
/// </summary>
public static class SpanIds
{
    // A fixed namespace of our own, so these ids cannot collide with other name-based UUIDs of the same ids.
    private static readonly byte[] Namespace = Guid.Parse("5b0e8d2c-4f1a-4c3e-9a57-0f3c1d2e6a91").ToByteArray(bigEndian: true);

    public static Guid ExecutionId(string traceId, string spanId)
    {
        // Hex ids are ASCII: at most 32 + 1 + 16 bytes after the namespace, so no allocation per id.
        var length = Namespace.Length + traceId.Length + 1 + spanId.Length;
        Span<byte> input = length <= 128 ? stackalloc byte[length] : new byte[length];
        Namespace.CopyTo(input);
        var written = Namespace.Length + Encoding.ASCII.GetBytes(traceId, input[Namespace.Length..]);
        input[written++] = (byte)':';
        written += Encoding.ASCII.GetBytes(spanId, input[written..]);
        Span<byte> hash = stackalloc byte[20];
#pragma warning disable CA5350 // SHA-1 is what version 5 UUIDs are defined with; it is not used for security here.
        SHA1.HashData(input[..written], hash);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
