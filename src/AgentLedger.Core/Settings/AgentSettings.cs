using System.Text.Json;

namespace AgentLedger.Core.Settings;

/// <summary>
/// What an operator can change about an agent. <see cref="IntervalSeconds"/> is null for agents
/// AgentLedger does not schedule (external agents report their own runs).
/// </summary>
public sealed record AgentSettings(bool Enabled, int? IntervalSeconds, int TimeoutSeconds, JsonElement Config)
{
    public const int MinIntervalSeconds = 1;
    public const int MaxIntervalSeconds = 30 * 24 * 3600;
    public const int MinTimeoutSeconds = 1;
    public const int MaxTimeoutSeconds = 24 * 3600;

    public static JsonElement EmptyConfig { get; } = JsonDocument.Parse("{}").RootElement.Clone();
}

/// <summary>Settings as persisted, with who changed them last. Version 0 means "never changed: defaults".</summary>
public sealed record StoredSettings(
    string AgentName,
    AgentSettings Settings,
    int Version,
    DateTimeOffset? UpdatedAt,
    string? UpdatedBy,
    DateTimeOffset? ScheduledSince,
    string? UpdatedByKey = null);

/// <summary>A partial update; a null member leaves that value as it is.</summary>
public sealed record SettingsPatch(
    bool? Enabled = null,
    int? IntervalSeconds = null,
    int? TimeoutSeconds = null,
    JsonElement? Config = null);
