using AgentLedger.Commons.Model;
using AgentLedger.Commons.Storage.Entities;
using AgentLedger.Core.Common;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Commons.Storage.Stores;

/// <summary>The state of an item after usage was recorded, and the usage itself.</summary>
public sealed record UsageRecorded(InventoryItem Item, UsageEvent Usage);

/// <summary>Stock at the commons' locations and what is taken out of it.</summary>
public sealed class InventoryStore(ICommonsDbContextFactory contexts)
{
    public async Task<IReadOnlyList<InventoryItem>> ListAsync(string? locationId, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var query = db.InventoryItems.AsNoTracking();
        if (locationId is not null)
        {
            query = query.Where(i => i.LocationId == locationId);
        }
        var rows = await query.OrderBy(i => i.LocationId).ThenBy(i => i.Name).ThenBy(i => i.Id).ToListAsync(cancellationToken);
        return rows.Select(r => r.ToModel()).ToList();
    }

    public async Task<InventoryItem?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        return (await db.InventoryItems.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, cancellationToken))?.ToModel();
    }

    /// <summary>Throws a validation error naming each of <c>location_id</c>, <c>category_id</c> that is unknown.</summary>
    public async Task<InventoryItem> AddAsync(InventoryItem item, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var references = new References(db);
        await references.CheckAsync<LocationEntity>("location_id", item.LocationId, "location", cancellationToken);
        await references.CheckAsync<CategoryEntity>("category_id", item.CategoryId, "category", cancellationToken);
        references.ThrowIfMissing();
        var entity = item.ToEntity();
        db.InventoryItems.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return entity.ToModel();
    }

    /// <summary>
    /// Records the usage and lowers the item's quantity in one transaction. Stock never goes below
    /// zero: taking more than was recorded means the count was off, and the usage itself still
    /// happened, so it is kept as reported for the usage rates.
    /// </summary>
    public async Task<UsageRecorded> RecordUsageAsync(UsageEvent usage, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var item = await db.InventoryItems.SingleOrDefaultAsync(i => i.Id == usage.ItemId, cancellationToken)
            ?? throw new NotFoundException($"No inventory item has id '{usage.ItemId}'.");
        var entity = usage.ToEntity();
        db.UsageEvents.Add(entity);
        item.Quantity = Math.Max(0, item.Quantity - usage.Quantity);
        item.UpdatedAt = LedgerTime.Normalize(now);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new UsageRecorded(item.ToModel(), entity.ToModel());
    }

    /// <summary>An item's usage, newest first.</summary>
    public async Task<IReadOnlyList<UsageEvent>> ListUsageAsync(string itemId, int limit, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        if (!await db.InventoryItems.AnyAsync(i => i.Id == itemId, cancellationToken))
        {
            throw new NotFoundException($"No inventory item has id '{itemId}'.");
        }
        var rows = await db.UsageEvents.AsNoTracking()
            .Where(u => u.ItemId == itemId)
            .OrderByDescending(u => u.OccurredAt).ThenByDescending(u => u.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return rows.Select(r => r.ToModel()).ToList();
    }
}
