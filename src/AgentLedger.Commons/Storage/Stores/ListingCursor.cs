using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;
using AgentLedger.Core.Common;

namespace AgentLedger.Commons.Storage.Stores;

/// <summary>
/// Keyset cursor over newest-first listings: the (created_at, id) of the last listing returned,
/// so new listings do not shift the pages a caller is walking through.
/// </summary>
internal readonly record struct ListingCursor(DateTimeOffset CreatedAt, string Id)
{
    public string Encode()
    {
        var id = Encoding.UTF8.GetBytes(Id);
        var bytes = new byte[8 + id.Length];
        BinaryPrimitives.WriteInt64BigEndian(bytes, CreatedAt.UtcTicks);
        id.CopyTo(bytes, 8);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Throws <see cref="ValidationException"/> for a cursor this server did not hand out.</summary>
    public static ListingCursor? Decode(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (text.Length > 128 || !Base64Url.IsValid(text))
        {
            throw Invalid();
        }
        var bytes = Base64Url.DecodeFromChars(text);
        if (bytes.Length is <= 8 or > 8 + CommonsDbContext.IdLength)
        {
            throw Invalid();
        }
        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes);
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw Invalid();
        }
        string id;
        try
        {
            id = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 8, bytes.Length - 8);
        }
        catch (DecoderFallbackException)
        {
            throw Invalid();
        }
        return new ListingCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id);
    }

    private static ValidationException Invalid() => ValidationException.For("cursor", "is not a cursor returned by this API");
}
