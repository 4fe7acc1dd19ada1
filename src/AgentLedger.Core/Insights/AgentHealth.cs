using System.Globalization;
using System.Text.Json;
using AgentLedger.Core.Settings;
using AgentLedger.Core.Stats;

namespace AgentLedger.Core.Insights;

public sealed record HealthVerdict(string Health, string HealthReason);

/// <summary>
/// One word for an operator: <c>disabled</c>, <c>stuck</c> (a run past its bound), <c>failing</c>
/// (the last N runs failed), <c>stale</c> (a scheduled agent that stopped succeeding or running),
/// else <c>ok</c>; checked in that order, with a one-line reason.
/// </summary>
public static class AgentHealth
{
    public const string FailingAfterKey = "failing_after";
    public const string StaleAfterKey = "stale_after_intervals";
    public const string StuckAfterKey = "stuck_after_seconds";
    public const int DefaultFailingAfter = 3;
    public const double DefaultStaleAfterIntervals = 3;

    /// <summary>Judges an agent from what the ledger holds: its stored settings, newest runs and the runs still open.</summary>
    public static HealthVerdict Judge(StoredSettings stored, DateTimeOffset firstSeen, LatestRuns? latest, IReadOnlyDictionary<string, DateTimeOffset> oldestRunning, DateTimeOffset now) =>
        Judge(stored.Settings, latest, oldestRunning.TryGetValue(stored.AgentName, out var oldest) ? oldest : null, stored.ScheduledSince ?? firstSeen, now);

    public static HealthVerdict Judge(AgentSettings settings, LatestRuns? latest, DateTimeOffset? oldestRunning, DateTimeOffset scheduledSince, DateTimeOffset now)
    {
        if (!settings.Enabled)
        {
            return new("disabled", "Disabled in its settings: not scheduled.");
        }
        var stuckAfter = StuckAfter(settings);
        if (oldestRunning is { } running && now - running > stuckAfter)
        {
            return new("stuck", $"A run has been running for {Span(now - running)}, longer than its {Span(stuckAfter)} bound.");
        }
        var failingAfter = (int)(Number(settings.Config, FailingAfterKey) ?? DefaultFailingAfter);
        if (latest is { ConsecutiveFailures: var failures } && failures >= failingAfter)
        {
            var error = latest.LastFailure?.ErrorMessage ?? latest.LastFailure?.ErrorType ?? "no message";
            return new("failing", $"The last {failures} runs failed; the latest with: {Truncate(error)}");
        }
        if (settings.IntervalSeconds is { } seconds)
        {
            var interval = TimeSpan.FromSeconds(seconds);
            if (latest?.Last is null && now - scheduledSince > 2 * interval)
            {
                return new("stale", $"No run at all in {Span(now - scheduledSince)}, more than twice its {Span(interval)} interval.");
            }
            var k = Number(settings.Config, StaleAfterKey) ?? DefaultStaleAfterIntervals;
            var since = latest?.LastSuccessAt ?? scheduledSince;
            if (latest?.Last is not null && now - since > k * interval)
            {
                return new("stale", latest.LastSuccessAt is null
                    ? $"No successful run since it was enabled {Span(now - since)} ago ({k.ToString(CultureInfo.InvariantCulture)} × its {Span(interval)} interval)."
                    : $"No successful run for {Span(now - since)}, more than {k.ToString(CultureInfo.InvariantCulture)} × its {Span(interval)} interval.");
            }
        }
        if (latest?.Last is null)
        {
            return new("ok", "No run yet.");
        }
        // A run longer than its timeout is kept as reported (an external agent's own word), and said here.
        var overTimeout = latest.Last.OverTimeout && latest.Last.DurationMs is { } ms
            ? $", after {Span(TimeSpan.FromMilliseconds(ms))}: over its {Span(TimeSpan.FromSeconds(settings.TimeoutSeconds))} timeout"
            : "";
        return new("ok", $"Last run {latest.Last.Status.ToString().ToLowerInvariant()}{overTimeout}.");
    }

    /// <summary>How long a run may stay running: the agent's timeout, or <c>stuck_after_seconds</c> in its config.</summary>
    public static TimeSpan StuckAfter(AgentSettings settings) => TimeSpan.FromSeconds(Number(settings.Config, StuckAfterKey) ?? settings.TimeoutSeconds);

    /// <summary>Null when valid: the health keys are shared by every agent's config.</summary>
    public static IReadOnlyDictionary<string, string[]> Validate(JsonElement config)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (key, min) in new[] { (FailingAfterKey, 1.0), (StaleAfterKey, 1.0), (StuckAfterKey, 1.0) })
        {
            if (config.ValueKind == JsonValueKind.Object && config.TryGetProperty(key, out var value) && !(value.ValueKind == JsonValueKind.Number && value.GetDouble() >= min))
            {
                errors[key] = [$"must be a number ≥ {min.ToString(CultureInfo.InvariantCulture)}"];
            }
        }
        return errors;
    }

    private static double? Number(JsonElement config, string key) =>
        config.ValueKind == JsonValueKind.Object && config.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static string Span(TimeSpan span) => span.TotalSeconds < 120
        ? $"{span.TotalSeconds:0} s"
        : span.TotalMinutes < 120 ? $"{span.TotalMinutes:0} min" : span.TotalHours < 48 ? $"{span.TotalHours:0} h" : $"{span.TotalDays:0} d";

    private static string Truncate(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
