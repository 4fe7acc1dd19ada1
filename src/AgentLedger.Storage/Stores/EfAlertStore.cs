using AgentLedger.Storage.Writes;
using AgentLedger.Core.Alerts;
using AgentLedger.Core.Common;
using AgentLedger.Core.Insights;
using AgentLedger.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage.Stores;

internal sealed class EfAlertStore(ILedgerDbContextFactory contexts, WriteGate gate) : IAlertStore
{
    private static readonly string Pending = DeliveryStatus.Pending.ToWire();

    public async Task<IReadOnlyDictionary<string, string>> HealthStatesAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        return await db.HealthStates.AsNoTracking().ToDictionaryAsync(h => h.AgentName, h => h.Health, cancellationToken);
    }

    public async Task<Alert?> TransitionAsync(string agentName, string? expected, HealthVerdict verdict, bool raise, string? webhookUrl, string node, DateTimeOffset now, CancellationToken cancellationToken)
    {
        now = LedgerTime.Normalize(now);
        using var writer = await gate.EnterAsync(cancellationToken);
        await using var db = contexts.Create();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var state = await db.HealthStates.SingleOrDefaultAsync(h => h.AgentName == agentName, cancellationToken);
        if (state?.Health != expected)
        {
            return null;
        }
        if (state is null)
        {
            db.HealthStates.Add(new AgentHealthEntity { AgentName = agentName, Health = verdict.Health, HealthReason = verdict.HealthReason, Since = now });
        }
        else
        {
            state.Health = verdict.Health;
            state.HealthReason = verdict.HealthReason;
            state.Since = now;
        }
        var alert = raise
            ? new AlertEntity
            {
                Id = Guid.CreateVersion7(),
                AgentName = agentName,
                PreviousHealth = expected,
                Health = verdict.Health,
                HealthReason = verdict.HealthReason,
                RaisedAt = now,
                Node = node,
                DeliveryStatus = (webhookUrl is null ? DeliveryStatus.None : DeliveryStatus.Pending).ToWire(),
                WebhookUrl = webhookUrl,
                NextAttemptAt = webhookUrl is null ? null : now,
            }
            : null;
        if (alert is not null)
        {
            db.Alerts.Add(alert);
        }
        try
        {
            await db.SaveOrConflictAsync("health changed meanwhile", cancellationToken);
            await tx.CommitAsync(cancellationToken);
            return alert is null ? null : ToModel(alert);
        }
        catch (ConflictException)
        {
            return null;
        }
    }

    public async Task<Page<Alert>> ListAsync(string? agentName, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var after = Cursor.Decode(cursor);
        await using var db = contexts.Create();
        var query = db.Alerts.AsNoTracking();
        if (agentName is not null)
        {
            query = query.Where(a => a.AgentName == agentName);
        }
        if (after is { } c)
        {
            query = query.Where(a => a.RaisedAt < c.At || (a.RaisedAt == c.At && a.Seq < c.Seq));
        }
        var rows = await query.OrderByDescending(a => a.RaisedAt).ThenByDescending(a => a.Seq).Take(limit + 1).ToListAsync(cancellationToken);
        var next = rows.Count > limit ? new Cursor(rows[limit - 1].RaisedAt, rows[limit - 1].Seq).Encode() : null;
        return new Page<Alert>(rows.Take(limit).Select(ToModel).ToList(), next);
    }

    public async Task<IReadOnlyList<DueDelivery>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        now = LedgerTime.Normalize(now);
        await using var db = contexts.Create();
        var rows = await db.Alerts.AsNoTracking()
            .Where(a => a.DeliveryStatus == Pending && a.NextAttemptAt <= now)
            .OrderBy(a => a.NextAttemptAt).ThenBy(a => a.Seq)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return rows.Select(r => new DueDelivery(ToModel(r), r.WebhookUrl!)).ToList();
    }

    public async Task RecordAttemptAsync(Guid alertId, DeliveryAttempt attempt, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken)
    {
        using var writer = await gate.EnterAsync(cancellationToken);
        await using var db = contexts.Create();
        var row = await db.Alerts.SingleAsync(a => a.Id == alertId, cancellationToken);
        var at = LedgerTime.Normalize(attempt.At);
        row.Attempts++;
        row.LastAttemptAt = at;
        row.LastResponseStatus = attempt.ResponseStatus;
        row.LastError = attempt.Error is { Length: > 1000 } error ? error[..1000] : attempt.Error;
        if (attempt.Delivered)
        {
            row.DeliveryStatus = DeliveryStatus.Delivered.ToWire();
            row.DeliveredAt = at;
            row.NextAttemptAt = null;
        }
        else if (attempt.Permanent || nextAttemptAt is null)
        {
            row.DeliveryStatus = DeliveryStatus.Failed.ToWire();
            row.NextAttemptAt = null;
        }
        else
        {
            row.NextAttemptAt = LedgerTime.Normalize(nextAttemptAt);
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> TryHoldLeaseAsync(string lease, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        now = LedgerTime.Normalize(now);
        using var writer = await gate.EnterAsync(cancellationToken);
        await using var db = contexts.Create();
        var row = await db.Leases.SingleOrDefaultAsync(l => l.Name == lease, cancellationToken);
        if (row is null)
        {
            db.Leases.Add(new LeaseEntity { Name = lease, Holder = holder, ExpiresAt = LedgerTime.Normalize(until) });
        }
        else if (row.Holder == holder || row.ExpiresAt <= now)
        {
            row.Holder = holder;
            row.ExpiresAt = LedgerTime.Normalize(until);
        }
        else
        {
            return false;
        }
        try
        {
            // The expiry is the concurrency token: of two nodes taking an expired lease, one wins.
            await db.SaveOrConflictAsync("lease taken meanwhile", cancellationToken);
            return true;
        }
        catch (ConflictException)
        {
            return false;
        }
    }

    private static Alert ToModel(AlertEntity a)
    {
        WireNames<DeliveryStatus>.TryParse(a.DeliveryStatus, out var status);
        return new Alert(
            a.Id, a.AgentName, a.PreviousHealth, a.Health, a.HealthReason, a.RaisedAt, a.Node,
            new AlertDelivery(status, a.WebhookUrl is null ? null : AlertRules.Target(a.WebhookUrl), a.Attempts, a.LastAttemptAt, a.NextAttemptAt, a.DeliveredAt, a.LastResponseStatus, a.LastError));
    }
}
