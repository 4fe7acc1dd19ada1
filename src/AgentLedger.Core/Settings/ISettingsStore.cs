namespace AgentLedger.Core.Settings;

public interface ISettingsStore
{
    Task<StoredSettings?> FindAsync(string agentName, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, StoredSettings>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Saves new settings, moving the previous version (if any) to the history, in one transaction.</summary>
    Task<StoredSettings> SaveAsync(string agentName, AgentSettings settings, string updatedBy, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Previous versions, newest first.</summary>
    Task<IReadOnlyList<StoredSettings>> HistoryAsync(string agentName, CancellationToken cancellationToken);
}
