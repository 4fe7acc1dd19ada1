using System.Globalization;
using AgentLedger.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage.Retention;

/// <summary>Raw executions that started before this instant may be in the archive instead of the live table.</summary>
internal static class ArchiveWatermark
{
    public static async Task<DateTimeOffset?> ReadAsync(LedgerDbContext db, CancellationToken cancellationToken)
    {
        var row = await db.Meta.AsNoTracking().SingleOrDefaultAsync(m => m.Key == LedgerMetaEntity.ArchivedBefore, cancellationToken);
        return row is null ? null : DateTimeOffset.Parse(row.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }

    /// <summary>Moves the watermark forward (never back) inside the caller's transaction.</summary>
    public static async Task AdvanceAsync(LedgerDbContext db, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var row = await db.Meta.SingleOrDefaultAsync(m => m.Key == LedgerMetaEntity.ArchivedBefore, cancellationToken);
        var value = cutoff.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        if (row is null)
        {
            db.Meta.Add(new LedgerMetaEntity { Key = LedgerMetaEntity.ArchivedBefore, Value = value });
        }
        else if (DateTimeOffset.Parse(row.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) < cutoff)
        {
            row.Value = value;
        }
    }
}
