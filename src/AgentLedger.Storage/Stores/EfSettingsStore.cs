using AgentLedger.Core.Common;
using AgentLedger.Core.Settings;
using AgentLedger.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage.Stores;

internal sealed class EfSettingsStore(ILedgerDbContextFactory contexts) : ISettingsStore
{
    // Read at the start of every run: compiled once, so no expression tree is walked per call.
    private static readonly Func<LedgerDbContext, string, CancellationToken, Task<SettingsEntity?>> Find =
        EF.CompileAsyncQuery((LedgerDbContext db, string agentName, CancellationToken _) =>
            db.Settings.AsNoTracking().SingleOrDefault(s => s.AgentName == agentName));

    public async Task<StoredSettings?> FindAsync(string agentName, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var row = await Find(db, agentName, cancellationToken);
        return row is null ? null : ToModel(row);
    }

    public async Task<IReadOnlyDictionary<string, StoredSettings>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var rows = await db.Settings.AsNoTracking().ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.AgentName, ToModel);
    }

    public async Task<StoredSettings> SaveAsync(string agentName, AgentSettings settings, DateTimeOffset? scheduledSince, string updatedBy, DateTimeOffset now, CancellationToken cancellationToken, string? updatedByKey = null, AgentLedger.Core.Access.AuditEntry? audit = null)
    {
        now = LedgerTime.Normalize(now);
        await using var db = contexts.Create();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = await db.Settings.SingleOrDefaultAsync(s => s.AgentName == agentName, cancellationToken);
        if (row is null)
        {
            row = new SettingsEntity { AgentName = agentName, Config = "{}", UpdatedBy = updatedBy };
            db.Settings.Add(row);
        }
        else
        {
            db.SettingsHistory.Add(new SettingsHistoryEntity
            {
                AgentName = agentName,
                Version = row.Version,
                Enabled = row.Enabled,
                IntervalSeconds = row.IntervalSeconds,
                TimeoutSeconds = row.TimeoutSeconds,
                Config = row.Config,
                UpdatedAt = row.UpdatedAt,
                UpdatedBy = row.UpdatedBy,
                UpdatedByKey = row.UpdatedByKey,
                ReplacedAt = now,
            });
        }
        row.Enabled = settings.Enabled;
        row.IntervalSeconds = settings.IntervalSeconds;
        row.TimeoutSeconds = settings.TimeoutSeconds;
        row.Config = settings.Config.GetRawText();
        row.Version++;
        row.UpdatedAt = now;
        row.UpdatedBy = updatedBy;
        row.UpdatedByKey = updatedByKey;
        if (audit is not null)
        {
            db.Audit.Add(AccessMapping.ToEntity(audit));
        }
        row.EnabledSince = LedgerTime.Normalize(scheduledSince);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return ToModel(row);
    }

    public async Task<IReadOnlyList<StoredSettings>> HistoryAsync(string agentName, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var rows = await db.SettingsHistory.AsNoTracking()
            .Where(h => h.AgentName == agentName)
            .OrderByDescending(h => h.Version)
            .ToListAsync(cancellationToken);
        return rows.Select(h => new StoredSettings(
            h.AgentName,
            new AgentSettings(h.Enabled, h.IntervalSeconds, h.TimeoutSeconds, JsonColumns.ReadElement(h.Config)!.Value),
            h.Version, h.UpdatedAt, h.UpdatedBy, null, h.UpdatedByKey)).ToList();
    }

    private static StoredSettings ToModel(SettingsEntity row) => new(
        row.AgentName,
        new AgentSettings(row.Enabled, row.IntervalSeconds, row.TimeoutSeconds, JsonColumns.ReadElement(row.Config)!.Value),
        row.Version, row.UpdatedAt, row.UpdatedBy, row.EnabledSince, row.UpdatedByKey);
}
