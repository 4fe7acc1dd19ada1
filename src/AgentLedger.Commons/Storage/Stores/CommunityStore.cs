using AgentLedger.Commons.Model;
using AgentLedger.Commons.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Commons.Storage.Stores;

/// <summary>Where the commons is (locations), what it shares (categories) and who takes part (members).</summary>
public sealed class CommunityStore(ICommonsDbContextFactory contexts)
{
    public async Task<IReadOnlyList<Location>> ListLocationsAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var rows = await db.Locations.AsNoTracking().OrderBy(l => l.Area).ThenBy(l => l.Name).ThenBy(l => l.Id).ToListAsync(cancellationToken);
        return rows.Select(r => r.ToModel()).ToList();
    }

    public async Task<Location?> FindLocationAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        return (await db.Locations.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id, cancellationToken))?.ToModel();
    }

    public async Task<Location> AddLocationAsync(Location location, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var entity = location.ToEntity();
        db.Locations.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        return entity.ToModel();
    }

    public async Task<IReadOnlyList<ResourceCategory>> ListCategoriesAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var rows = await db.Categories.AsNoTracking().OrderBy(c => c.Name).ThenBy(c => c.Id).ToListAsync(cancellationToken);
        return rows.Select(r => r.ToModel()).ToList();
    }

    public async Task<ResourceCategory?> FindCategoryAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        return (await db.Categories.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken))?.ToModel();
    }

    /// <summary>Throws a validation error naming <c>parent_id</c> when the parent is unknown.</summary>
    public async Task<ResourceCategory> AddCategoryAsync(ResourceCategory category, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        (await new References(db).CheckAsync<CategoryEntity>("parent_id", category.ParentId, "category", cancellationToken)).ThrowIfMissing();
        var entity = category.ToEntity();
        db.Categories.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return entity.ToModel();
    }

    public async Task<IReadOnlyList<Member>> ListMembersAsync(string? locationId, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var query = db.Members.AsNoTracking();
        if (locationId is not null)
        {
            query = query.Where(m => m.LocationId == locationId);
        }
        var rows = await query.OrderBy(m => m.Name).ThenBy(m => m.Id).ToListAsync(cancellationToken);
        return rows.Select(r => r.ToModel()).ToList();
    }

    public async Task<Member?> FindMemberAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        return (await db.Members.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, cancellationToken))?.ToModel();
    }

    /// <summary>Throws a validation error naming <c>location_id</c> when the location is unknown.</summary>
    public async Task<Member> AddMemberAsync(Member member, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        (await new References(db).CheckAsync<LocationEntity>("location_id", member.LocationId, "location", cancellationToken)).ThrowIfMissing();
        var entity = member.ToEntity();
        db.Members.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return entity.ToModel();
    }
}
