using AgentLedger.Core.Common;
using AgentLedger.Core.Proposals;
using AgentLedger.Core.Stats;
using AgentLedger.Storage.Rollups;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage.Stores;

internal sealed class EfProposalStore(ILedgerDbContextFactory contexts) : IProposalStore
{
    private static readonly string Pending = ProposalStatus.Pending.ToWire();

    public async Task<Page<Proposal>> ListAsync(ProposalFilter filter, CancellationToken cancellationToken)
    {
        var cursor = Cursor.Decode(filter.Cursor);
        await using var db = contexts.Create();
        var query = db.Proposals.AsNoTracking();
        if (filter.AgentName is { } agent)
        {
            query = query.Where(p => p.AgentName == agent);
        }
        if (filter.Status is { } status)
        {
            var wire = status.ToWire();
            query = query.Where(p => p.Status == wire);
        }
        if (filter.ExecutionId is { } executionId)
        {
            query = query.Where(p => p.ExecutionId == executionId);
        }
        if (cursor is { } c)
        {
            query = query.Where(p => p.CreatedAt < c.At || (p.CreatedAt == c.At && p.Seq < c.Seq));
        }
        var rows = await query
            .OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Seq)
            .Take(filter.Limit + 1)
            .ToListAsync(cancellationToken);
        var next = rows.Count > filter.Limit ? new Cursor(rows[filter.Limit - 1].CreatedAt, rows[filter.Limit - 1].Seq).Encode() : null;
        return new Page<Proposal>(rows.Take(filter.Limit).Select(r => r.ToModel()).ToList(), next);
    }

    public async Task<Proposal?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        return (await db.Proposals.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken))?.ToModel();
    }

    public async Task<Proposal> DecideAsync(Guid id, ProposalStatus decision, string? decidedBy, string? reason, DateTimeOffset now, CancellationToken cancellationToken, string? decidedByKey = null, AgentLedger.Core.Access.AuditEntry? audit = null)
    {
        if (decision is not (ProposalStatus.Approved or ProposalStatus.Rejected))
        {
            throw new ArgumentOutOfRangeException(nameof(decision));
        }
        now = LedgerTime.Normalize(now);
        await using var db = contexts.Create();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = await db.Proposals.SingleOrDefaultAsync(p => p.Id == id, cancellationToken)
            ?? throw new NotFoundException($"No proposal has id '{id}'.");
        if (row.Status != Pending)
        {
            throw new ConflictException($"Proposal '{id}' is {row.Status}; only pending proposals can be approved or rejected.");
        }
        if (row.ExpiresAt is { } expiresAt && expiresAt <= now)
        {
            await MoveAsync(db, row, ProposalStatus.Expired, now, null, null, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
            throw new ConflictException($"Proposal '{id}' expired at {expiresAt:O}; it can no longer be decided.");
        }
        await MoveAsync(db, row, decision, now, decidedBy, reason, cancellationToken);
        row.DecidedByKey = decidedByKey;
        if (audit is not null)
        {
            db.Audit.Add(AccessMapping.ToEntity(audit));
        }
        await db.SaveOrConflictAsync($"Proposal '{id}' was decided by another request.", cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return row.ToModel();
    }

    public async Task<IReadOnlySet<string>> PendingKeysAsync(string agentName, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var pending = await db.Proposals.AsNoTracking()
            .Where(p => p.AgentName == agentName && p.Status == Pending)
            .Select(p => new { p.Type, p.InputsUsed, p.Title })
            .ToListAsync(cancellationToken);
        return pending.Select(p => ProposalKey.Of(p.Type, JsonColumns.ReadStrings(p.InputsUsed), p.Title)).ToHashSet(StringComparer.Ordinal);
    }

    public async Task<int> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        now = LedgerTime.Normalize(now);
        await using var db = contexts.Create();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var due = await db.Proposals
            .Where(p => p.Status == Pending && p.ExpiresAt != null && p.ExpiresAt <= now)
            .OrderBy(p => p.Seq)
            .Take(1000)
            .ToListAsync(cancellationToken);
        foreach (var row in due)
        {
            await MoveAsync(db, row, ProposalStatus.Expired, now, null, null, cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return due.Count;
    }

    private static async Task MoveAsync(LedgerDbContext db, Entities.ProposalEntity row, ProposalStatus to, DateTimeOffset now, string? decidedBy, string? reason, CancellationToken cancellationToken)
    {
        row.Status = to.ToWire();
        row.DecidedAt = now;
        row.DecidedBy = decidedBy;
        row.DecisionReason = reason;
        var delta = new LedgerTotals();
        delta.MoveProposal(to);
        await RollupWriter.AddAsync(db, row.AgentName, row.CreatedAt, delta, cancellationToken);
    }
}
