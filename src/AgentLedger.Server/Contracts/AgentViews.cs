using System.Text.Json;
using AgentLedger.Core.Settings;

namespace AgentLedger.Server.Contracts;

public sealed record AgentSummary(
    string Name,
    string DisplayName,
    string Description,
    string Kind,
    bool Enabled,
    int? IntervalSeconds,
    int TimeoutSeconds,
    DateTimeOffset? LastRun,
    string? LastStatus,
    DateTimeOffset? NextScheduledRun,
    bool Running,
    string Health,
    string HealthReason);

public sealed record AgentList(IReadOnlyList<AgentSummary> Agents, int Total);

public sealed record SettingsView(
    string AgentName,
    bool Enabled,
    int? IntervalSeconds,
    int TimeoutSeconds,
    JsonElement Config,
    int Version,
    bool IsDefault,
    DateTimeOffset? UpdatedAt,
    string? UpdatedBy,
    string? UpdatedByKey)
{
    public static SettingsView From(StoredSettings s) => new(
        s.AgentName, s.Settings.Enabled, s.Settings.IntervalSeconds, s.Settings.TimeoutSeconds, s.Settings.Config,
        s.Version, s.Version == 0, s.UpdatedAt, s.UpdatedBy, s.UpdatedByKey);
}

public sealed record SettingsHistory(string AgentName, IReadOnlyList<SettingsView> Items, string? NextCursor);

public sealed record StatsEnvelope(Core.Stats.AgentStats Stats);

public sealed record HistoryPoint(
    DateTimeOffset Start,
    long Runs,
    long SuccessCount,
    long FailureCount,
    long CancelledCount,
    long RunningCount,
    long ProposalsCreated,
    HistoryDurations DurationMs,
    bool Archived);

public sealed record HistoryDurations(double? P50, double? P95, long? Max);

public sealed record AgentHistory(string AgentName, string Window, string Bucket, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<HistoryPoint> Points);

public sealed record ErrorGroupList(
    string AgentName,
    string Window,
    DateTimeOffset From,
    DateTimeOffset To,
    long Failures,
    IReadOnlyList<Core.Insights.ErrorGroup> Items,
    string? NextCursor);

public sealed record DecisionRequest(string? DecidedBy = null, string? Reason = null);
