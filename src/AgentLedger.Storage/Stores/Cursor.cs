using System.Buffers.Binary;
using System.Buffers.Text;
using AgentLedger.Core.Common;

namespace AgentLedger.Storage.Stores;

/// <summary>
/// Keyset cursor over newest-first lists: the (timestamp, seq) of the last item returned, so a
/// page costs one index seek however deep the caller pages and inserts do not shift pages.
/// </summary>
internal readonly record struct Cursor(DateTimeOffset At, long Seq)
{
    public string Encode()
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, At.UtcTicks);
        BinaryPrimitives.WriteInt64BigEndian(bytes[8..], Seq);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Throws <see cref="ValidationException"/> for a cursor this server did not hand out.</summary>
    public static Cursor? Decode(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        Span<byte> bytes = stackalloc byte[24];
        if (!Base64Url.IsValid(text) || !Base64Url.TryDecodeFromChars(text, bytes, out var written) || written != 16)
        {
            throw ValidationException.For("cursor", "is not a cursor returned by this API");
        }
        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes);
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw ValidationException.For("cursor", "is not a cursor returned by this API");
        }
        return new Cursor(new DateTimeOffset(ticks, TimeSpan.Zero), BinaryPrimitives.ReadInt64BigEndian(bytes[8..]));
    }
}
