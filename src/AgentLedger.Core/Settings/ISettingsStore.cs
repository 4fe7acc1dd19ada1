namespace AgentLedger.Core.Settings;

public interface ISettingsStore
{
    Task<StoredSettings?> FindAsync(string agentName, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, StoredSettings>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Saves new settings, moving the previous version (if any) to the history, in one transaction.
    /// <paramref name="scheduledSince"/> is kept with them (null: scheduled as it is since the agent was first seen, or disabled).
    /// <paramref name="audit"/> (if any) is written in the same transaction.
    /// </summary>
    Task<StoredSettings> SaveAsync(string agentName, AgentSettings settings, DateTimeOffset? scheduledSince, string updatedBy, DateTimeOffset now, CancellationToken cancellationToken, string? updatedByKey = null, Access.AuditEntry? audit = null);

    /// <summary>Previous versions, newest first.</summary>
    Task<IReadOnlyList<StoredSettings>> HistoryAsync(string agentName, CancellationToken cancellationToken);
}
