namespace AgentLedger.Storage.Entities;

/// <summary>The current settings of an agent that has ever had them changed.</summary>
public sealed class SettingsEntity
{
    public required string AgentName { get; set; }
    public bool Enabled { get; set; }
    public int? IntervalSeconds { get; set; }
    public int TimeoutSeconds { get; set; }
    public required string Config { get; set; }
    public int Version { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
    public string? UpdatedByKey { get; set; }

    /// <summary>
    /// When the current schedule began (switched on, or interval changed); anchors the first scheduled
    /// run. The column keeps the name it had when only switching on restarted the schedule.
    /// </summary>
    public DateTimeOffset? EnabledSince { get; set; }
}

/// <summary>A replaced version of an agent's settings.</summary>
public sealed class SettingsHistoryEntity
{
    public long Id { get; set; }
    public required string AgentName { get; set; }
    public int Version { get; set; }
    public bool Enabled { get; set; }
    public int? IntervalSeconds { get; set; }
    public int TimeoutSeconds { get; set; }
    public required string Config { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
    public string? UpdatedByKey { get; set; }
    public DateTimeOffset ReplacedAt { get; set; }
}
