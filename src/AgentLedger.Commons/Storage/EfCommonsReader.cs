using AgentLedger.Commons.Model;
using AgentLedger.Core.Common;
using AgentLedger.Storage;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Commons.Storage;

/// <summary>
/// What the agents read on each run: the whole (small) community, the listings still open, the
/// stock and its recent usage, and the open plans with their commitments. One read transaction,
/// so a run sees the commons at one moment even while the API writes.
/// </summary>
public sealed class EfCommonsReader(ICommonsDbContextFactory contexts, TimeProvider time) : ICommonsReader
{
    /// <summary>Long enough for weekly usage patterns to show in a rate, short enough to follow change.</summary>
    public static readonly TimeSpan UsageHistory = TimeSpan.FromDays(30);

    public async Task<CommonsSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var since = LedgerTime.Normalize(time.GetUtcNow() - UsageHistory);
        await using var db = contexts.Create();
        await using var tx = await db.Database.BeginSnapshotAsync(cancellationToken);

        var locations = await db.Locations.AsNoTracking().OrderBy(l => l.Id).ToListAsync(cancellationToken);
        var categories = await db.Categories.AsNoTracking().OrderBy(c => c.Id).ToListAsync(cancellationToken);
        var members = await db.Members.AsNoTracking().OrderBy(m => m.Id).ToListAsync(cancellationToken);
        var listings = await db.Listings.AsNoTracking()
            .Where(l => l.Status == ListingStatus.Open)
            .OrderBy(l => l.CreatedAt).ThenBy(l => l.Id)
            .ToListAsync(cancellationToken);
        var inventory = await db.InventoryItems.AsNoTracking().OrderBy(i => i.Id).ToListAsync(cancellationToken);
        var usage = await db.UsageEvents.AsNoTracking()
            .Where(u => u.OccurredAt >= since)
            .OrderBy(u => u.OccurredAt).ThenBy(u => u.Id)
            .ToListAsync(cancellationToken);
        var plans = await db.Plans.AsNoTracking()
            .Where(p => p.Status == PlanStatus.Open)
            .OrderBy(p => p.WindowStart).ThenBy(p => p.Id)
            .ToListAsync(cancellationToken);
        var commitments = await db.Commitments.AsNoTracking()
            .Where(c => db.Plans.Any(p => p.Id == c.PlanId && p.Status == PlanStatus.Open))
            .OrderBy(c => c.PlanId).ThenBy(c => c.AvailableFrom).ThenBy(c => c.Id)
            .ToListAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);

        return new CommonsSnapshot(
            locations.Select(l => l.ToModel()).ToList(),
            categories.Select(c => c.ToModel()).ToList(),
            members.Select(m => m.ToModel()).ToList(),
            listings.Select(l => l.ToModel()).ToList(),
            inventory.Select(i => i.ToModel()).ToList(),
            usage.Select(u => u.ToModel()).ToList(),
            plans.Select(p => p.ToModel()).ToList(),
            commitments.Select(c => c.ToModel()).ToList());
    }
}
