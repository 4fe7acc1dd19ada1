using AgentLedger.Commons.Model;
using AgentLedger.Commons.Storage.Entities;
using AgentLedger.Core.Common;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Commons.Storage.Stores;

/// <summary>Planned work and the commitments members made to it.</summary>
public sealed class PlanStore(ICommonsDbContextFactory contexts)
{
    public async Task<IReadOnlyList<WorkPlan>> ListAsync(PlanStatus? status, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var query = db.Plans.AsNoTracking();
        if (status is { } s)
        {
            query = query.Where(p => p.Status == s);
        }
        var rows = await query.OrderBy(p => p.WindowStart).ThenBy(p => p.Id).ToListAsync(cancellationToken);
        return rows.Select(r => r.ToModel()).ToList();
    }

    public async Task<WorkPlan?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        return (await db.Plans.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken))?.ToModel();
    }

    /// <summary>Throws a validation error naming <c>location_id</c> when the location is unknown.</summary>
    public async Task<WorkPlan> AddAsync(WorkPlan plan, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        (await new References(db).CheckAsync<LocationEntity>("location_id", plan.LocationId, "location", cancellationToken)).ThrowIfMissing();
        var entity = plan.ToEntity();
        db.Plans.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return entity.ToModel();
    }

    public async Task<IReadOnlyList<Commitment>> ListCommitmentsAsync(string planId, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        if (!await db.Plans.AnyAsync(p => p.Id == planId, cancellationToken))
        {
            throw new NotFoundException($"No plan has id '{planId}'.");
        }
        var rows = await db.Commitments.AsNoTracking()
            .Where(c => c.PlanId == planId)
            .OrderBy(c => c.AvailableFrom).ThenBy(c => c.Id)
            .ToListAsync(cancellationToken);
        return rows.Select(r => r.ToModel()).ToList();
    }

    /// <summary>
    /// 404 for an unknown plan, a validation error naming <c>member_id</c> for an unknown member,
    /// 409 when the plan is done or cancelled (help offered for finished work would mislead the agents).
    /// </summary>
    public async Task<Commitment> AddCommitmentAsync(Commitment commitment, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var plan = await db.Plans.AsNoTracking().SingleOrDefaultAsync(p => p.Id == commitment.PlanId, cancellationToken)
            ?? throw new NotFoundException($"No plan has id '{commitment.PlanId}'.");
        (await new References(db).CheckAsync<MemberEntity>("member_id", commitment.MemberId, "member", cancellationToken)).ThrowIfMissing();
        if (plan.Status is PlanStatus.Done or PlanStatus.Cancelled)
        {
            throw new ConflictException($"Plan '{plan.Id}' is {WireNames<PlanStatus>.Of(plan.Status)}; commitments can only be made to open or scheduled plans.");
        }
        var entity = commitment.ToEntity();
        db.Commitments.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return entity.ToModel();
    }
}
