using AgentLedger.Commons.Model;
using AgentLedger.Commons.Storage.Entities;
using AgentLedger.Core.Common;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Commons.Storage.Stores;

public sealed record ListingFilter(ListingKind? Kind, ListingStatus? Status, string? CategoryId, int Limit, string? Cursor = null);

/// <summary>Offers and needs.</summary>
public sealed class ListingStore(ICommonsDbContextFactory contexts)
{
    /// <summary>Newest first; throws a validation error naming <c>cursor</c> for a cursor this API did not hand out.</summary>
    public async Task<Page<Listing>> ListAsync(ListingFilter filter, CancellationToken cancellationToken)
    {
        var cursor = ListingCursor.Decode(filter.Cursor);
        await using var db = contexts.Create();
        var query = db.Listings.AsNoTracking();
        if (filter.Kind is { } kind)
        {
            query = query.Where(l => l.Kind == kind);
        }
        if (filter.Status is { } status)
        {
            query = query.Where(l => l.Status == status);
        }
        if (filter.CategoryId is { } categoryId)
        {
            query = query.Where(l => l.CategoryId == categoryId);
        }
        if (cursor is { } c)
        {
            query = query.Where(l => l.CreatedAt < c.CreatedAt || (l.CreatedAt == c.CreatedAt && string.Compare(l.Id, c.Id) < 0));
        }
        var rows = await query
            .OrderByDescending(l => l.CreatedAt).ThenByDescending(l => l.Id)
            .Take(filter.Limit + 1)
            .ToListAsync(cancellationToken);
        var next = rows.Count > filter.Limit ? new ListingCursor(rows[filter.Limit - 1].CreatedAt, rows[filter.Limit - 1].Id).Encode() : null;
        return new Page<Listing>(rows.Take(filter.Limit).Select(r => r.ToModel()).ToList(), next);
    }

    public async Task<Listing?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        return (await db.Listings.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id, cancellationToken))?.ToModel();
    }

    /// <summary>Throws a validation error naming each of <c>member_id</c>, <c>category_id</c>, <c>location_id</c> that is unknown.</summary>
    public async Task<Listing> AddAsync(Listing listing, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var references = new References(db);
        await references.CheckAsync<MemberEntity>("member_id", listing.MemberId, "member", cancellationToken);
        await references.CheckAsync<CategoryEntity>("category_id", listing.CategoryId, "category", cancellationToken);
        await references.CheckAsync<LocationEntity>("location_id", listing.LocationId, "location", cancellationToken);
        references.ThrowIfMissing();
        var entity = listing.ToEntity();
        db.Listings.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return entity.ToModel();
    }

    /// <summary>Any status may follow any other: a withdrawn offer can be reopened, a fulfilled need can turn out not to be.</summary>
    public async Task<Listing> SetStatusAsync(string id, ListingStatus status, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var entity = await db.Listings.SingleOrDefaultAsync(l => l.Id == id, cancellationToken)
            ?? throw new NotFoundException($"No listing has id '{id}'.");
        entity.Status = status;
        await db.SaveChangesAsync(cancellationToken);
        return entity.ToModel();
    }
}
