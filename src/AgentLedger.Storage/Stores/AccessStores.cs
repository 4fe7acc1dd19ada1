using AgentLedger.Storage.Writes;
using System.Text.Json;
using AgentLedger.Core.Access;
using AgentLedger.Core.Common;
using AgentLedger.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage.Stores;

internal static class AccessMapping
{
    public static AuditEntity ToEntity(AuditEntry e) => new()
    {
        At = LedgerTime.Normalize(e.At),
        KeyId = e.KeyId,
        KeyName = e.KeyName,
        Role = e.Role,
        Action = e.Action,
        ResourceType = e.ResourceType,
        ResourceId = e.ResourceId is { Length: > 256 } id ? id[..256] : e.ResourceId,
        StatusCode = e.StatusCode,
        RemoteAddress = e.RemoteAddress,
        Before = JsonColumns.Write(e.Before),
        After = JsonColumns.Write(e.After),
    };

    public static AuditEntry ToModel(this AuditEntity e) => new(
        e.Seq, e.At, e.KeyId, e.KeyName, e.Role, e.Action, e.ResourceType, e.ResourceId, e.StatusCode, e.RemoteAddress,
        JsonColumns.ReadElement(e.Before), JsonColumns.ReadElement(e.After));

    public static ApiKey ToModel(this ApiKeyEntity e)
    {
        KeyRoles.TryParse(e.Role, out var role);
        return new ApiKey(e.Id, e.Name, role, JsonColumns.ReadStrings(e.Agents), e.CreatedAt, e.ExpiresAt, e.LastUsedAt, e.RevokedAt);
    }
}

internal sealed class EfKeyStore(ILedgerDbContextFactory contexts, WriteGate gate) : IKeyStore
{
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    public async Task<ApiKey> CreateAsync(ApiKey key, string secretHash, AuditEntry audit, CancellationToken cancellationToken)
    {
        using var writer = await gate.EnterAsync(cancellationToken);
        await using var db = contexts.Create();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.ApiKeys.AnyAsync(k => k.Name == key.Name, cancellationToken))
        {
            throw new ConflictException($"A key named '{key.Name}' exists already; names are never reused, so the audit log stays unambiguous.");
        }
        var row = new ApiKeyEntity
        {
            Id = key.Id,
            Name = key.Name,
            Role = key.Role.ToWire(),
            Agents = JsonSerializer.Serialize(key.Agents),
            SecretHash = secretHash,
            CreatedAt = LedgerTime.Normalize(key.CreatedAt),
            ExpiresAt = LedgerTime.Normalize(key.ExpiresAt),
        };
        db.ApiKeys.Add(row);
        db.Audit.Add(AccessMapping.ToEntity(audit));
        await db.SaveOrConflictAsync($"A key named '{key.Name}' exists already.", cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return row.ToModel();
    }

    public async Task<StoredKey?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var row = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
        return row is null ? null : new StoredKey(row.ToModel(), row.SecretHash, row.PreviousSecretHash, row.PreviousValidUntil);
    }

    public async Task<Page<ApiKey>> ListAsync(int limit, string? cursor, CancellationToken cancellationToken)
    {
        var after = Cursor.Decode(cursor);
        await using var db = contexts.Create();
        var query = db.ApiKeys.AsNoTracking();
        if (after is { } c)
        {
            query = query.Where(k => k.Seq < c.Seq);
        }
        var rows = await query.OrderByDescending(k => k.Seq).Take(limit + 1).ToListAsync(cancellationToken);
        var next = rows.Count > limit ? new Cursor(rows[limit - 1].CreatedAt, rows[limit - 1].Seq).Encode() : null;
        return new Page<ApiKey>(rows.Take(limit).Select(r => r.ToModel()).ToList(), next);
    }

    public async Task<ApiKey> RevokeAsync(string id, DateTimeOffset now, AuditEntry audit, CancellationToken cancellationToken)
    {
        using var writer = await gate.EnterAsync(cancellationToken);
        await using var db = contexts.Create();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, cancellationToken) ?? throw new NotFoundException($"No key has id '{id}'.");
        if (row.RevokedAt is null)
        {
            row.RevokedAt = LedgerTime.Normalize(now);
            db.Audit.Add(AccessMapping.ToEntity(audit));
            await db.SaveChangesAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return row.ToModel();
    }

    public async Task<ApiKey> RotateAsync(string id, string secretHash, DateTimeOffset previousValidUntil, AuditEntry audit, CancellationToken cancellationToken)
    {
        using var writer = await gate.EnterAsync(cancellationToken);
        await using var db = contexts.Create();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, cancellationToken) ?? throw new NotFoundException($"No key has id '{id}'.");
        if (row.RevokedAt is not null)
        {
            throw new ConflictException($"Key '{id}' is revoked; create a new key instead.");
        }
        row.PreviousSecretHash = row.SecretHash;
        row.PreviousValidUntil = LedgerTime.Normalize(previousValidUntil);
        row.SecretHash = secretHash;
        db.Audit.Add(AccessMapping.ToEntity(audit));
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return row.ToModel();
    }

    public async Task TouchAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        now = LedgerTime.Normalize(now);
        var due = now - TouchInterval;
        using var writer = await gate.EnterAsync(cancellationToken);
        await using var db = contexts.Create();
        // The condition makes it once a minute across nodes too: a second node's update finds the row fresh.
        await db.ApiKeys.Where(k => k.Id == id && (k.LastUsedAt == null || k.LastUsedAt <= due))
            .ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, now), cancellationToken);
    }
}

internal sealed class EfAuditLog(ILedgerDbContextFactory contexts, WriteGate gate) : IAuditLog
{
    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        using var writer = await gate.EnterAsync(cancellationToken);
        await using var db = contexts.Create();
        db.Audit.Add(AccessMapping.ToEntity(entry));
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<Page<AuditEntry>> ListAsync(AuditFilter filter, CancellationToken cancellationToken)
    {
        var after = Cursor.Decode(filter.Cursor);
        await using var db = contexts.Create();
        var query = db.Audit.AsNoTracking();
        if (filter.Action is { } action)
        {
            query = query.Where(a => a.Action == action);
        }
        if (filter.Key is { } key)
        {
            query = query.Where(a => a.KeyId == key || a.KeyName == key);
        }
        if (filter.From is { } from)
        {
            var f = LedgerTime.Normalize(from);
            query = query.Where(a => a.At >= f);
        }
        if (filter.To is { } to)
        {
            var t = LedgerTime.Normalize(to);
            query = query.Where(a => a.At < t);
        }
        if (after is { } c)
        {
            // Seq grows with time on every engine, so it alone orders the log.
            query = query.Where(a => a.Seq < c.Seq);
        }
        var rows = await query.OrderByDescending(a => a.Seq).Take(filter.Limit + 1).ToListAsync(cancellationToken);
        var next = rows.Count > filter.Limit ? new Cursor(rows[filter.Limit - 1].At, rows[filter.Limit - 1].Seq).Encode() : null;
        return new Page<AuditEntry>(rows.Take(filter.Limit).Select(r => r.ToModel()).ToList(), next);
    }
}
