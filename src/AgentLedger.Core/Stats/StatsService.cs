using AgentLedger.Core.Executions;
using AgentLedger.Core.Settings;

namespace AgentLedger.Core.Stats;

/// <summary>Turns ledger totals into the stats object of the contract. Reads only the ledger.</summary>
public sealed class StatsService(IStatsSource source, Insights.IInsightsSource insights, Agents.IAgentDirectory directory, SettingsService settings, TimeProvider time)
{
    /// <summary>One microsecond: windows include a run that started at exactly "now".</summary>
    private static readonly TimeSpan Inclusive = TimeSpan.FromTicks(TimeSpan.TicksPerMicrosecond);

    public async Task<IReadOnlyDictionary<string, AgentStats>> GetAsync(IReadOnlyCollection<string> agents, StatsWindow window, CancellationToken cancellationToken, bool compare = false)
    {
        var now = Common.LedgerTime.Normalize(time.GetUtcNow());
        var range = window.Resolve(now);
        var inWindow = await source.TotalsAsync(agents, range.From, range.To + Inclusive, cancellationToken);
        var thirty = window.Length == StatsWindow.ThirtyDays.Length
            ? inWindow
            : await source.TotalsAsync(agents, now - StatsWindow.ThirtyDays.Length, now + Inclusive, cancellationToken);
        var allTime = await source.AllTimeAsync(agents, cancellationToken);
        var latest = await source.LatestAsync(agents, cancellationToken);
        var effective = await settings.GetAllAsync(agents, cancellationToken);
        var running = await insights.OldestRunningAsync(agents, cancellationToken);
        var firstSeen = (await directory.ListAsync(cancellationToken)).ToDictionary(a => a.Name, a => a.FirstSeenAt);
        var previousRange = new TimeWindow(range.From - window.Length, range.From);
        var previous = compare ? await source.TotalsAsync(agents, previousRange.From, previousRange.To, cancellationToken) : null;

        return agents.ToDictionary(
            agent => agent,
            agent =>
            {
                var stored = effective[agent];
                var health = Insights.AgentHealth.Judge(stored, firstSeen.GetValueOrDefault(agent, now), latest.GetValueOrDefault(agent), running, now);
                var stats = Compose(agent, stored.Settings.Enabled, window, range, Get(inWindow, agent), Get(thirty, agent), Get(allTime, agent), latest.GetValueOrDefault(agent), health);
                if (previous is null)
                {
                    return stats;
                }
                var before = Window(window, previousRange, Get(previous, agent));
                return stats with { Previous = before, Deltas = Delta(stats.Window, before) };
            });
    }

    /// <summary>One agent's stats with its outcome economics (a few raw reads, so not in the all-agents call).</summary>
    public async Task<AgentStats> GetOneAsync(string agent, StatsWindow window, bool compare, CancellationToken cancellationToken)
    {
        var stats = (await GetAsync([agent], window, cancellationToken, compare))[agent];
        var decisions = await insights.DecisionsAsync(agent, stats.Window.From, stats.Window.To + Inclusive, cancellationToken);
        var latency = new DurationHistogram();
        foreach (var d in decisions.Where(d => d.Status is Proposals.ProposalStatus.Approved or Proposals.ProposalStatus.Rejected && d.DecidedAt is not null))
        {
            latency.Add((long)(d.DecidedAt!.Value - d.CreatedAt).TotalMilliseconds);
        }
        var w = stats.Window;
        var recorded = w.ProposalsApproved + w.ProposalsRejected + w.ProposalsPending + w.ProposalsExpired;
        return stats with
        {
            Outcomes = new OutcomeStats(
                recorded,
                w.ProposalsDecided,
                latency.Percentile(0.50) / 1000,
                latency.Percentile(0.95) / 1000,
                Ratio(w.ProposalsExpired, recorded),
                w.Metrics.TryGetValue("cost", out var cost) && w.ProposalsApproved > 0 ? cost / w.ProposalsApproved : null,
                w.Metrics.TryGetValue("tokens", out var tokens) && w.ProposalsApproved > 0 ? tokens / w.ProposalsApproved : null),
        };
    }

    private static WindowDeltas Delta(WindowStats now, WindowStats before) => new(
        now.Runs - before.Runs,
        now.SuccessRate - before.SuccessRate,
        now.DurationMs.P95 - before.DurationMs.P95,
        now.ProposalsCreated - before.ProposalsCreated,
        now.ApprovalRate - before.ApprovalRate);

    public static AgentStats Compose(string agent, bool enabled, StatsWindow window, TimeWindow range, LedgerTotals inWindow, LedgerTotals thirty, LedgerTotals allTime, LatestRuns? latest, Insights.HealthVerdict health)
    {
        var last = latest?.Last;
        var lastFailed = last is not null && last.Status.IsFailure();
        return new AgentStats(
            agent,
            enabled,
            last?.StartedAt,
            last?.Status.ToWire(),
            last?.DurationMs,
            latest?.LastSuccessAt,
            lastFailed ? last!.ErrorMessage ?? last.ErrorType ?? last.Status.ToWire() : null,
            lastFailed ? last!.ErrorType : null,
            latest?.LastFailure?.CompletedAt,
            latest?.ConsecutiveFailures ?? 0,
            thirty.ProposalsCreated,
            thirty.Success,
            thirty.Failures,
            allTime.Runs,
            allTime.ProposalsCreated,
            allTime.Failures,
            allTime.DurationCount == 0 ? null : allTime.DurationSumMs / allTime.DurationCount / 1000.0,
            health.Health,
            health.HealthReason,
            Window(window, range, inWindow));
    }

    private static WindowStats Window(StatsWindow window, TimeWindow range, LedgerTotals t)
    {
        var decided = t.ProposalsApproved + t.ProposalsRejected;
        var judged = t.Success + t.Failures;
        return new WindowStats(
            window.Name,
            range.From,
            range.To,
            t.Runs,
            t.Success,
            t.Failures,
            t.Running,
            t.Cancelled,
            Ratio(t.Success, judged),
            t.ProposalsCreated,
            t.ResourcesProcessed,
            new DurationStats(
                t.DurationCount == 0 ? null : t.DurationSumMs / t.DurationCount,
                t.DurationPercentile(0.50),
                t.DurationPercentile(0.95),
                t.DurationPercentile(0.99),
                t.DurationCount == 0 ? null : t.DurationMaxMs),
            t.ProposalsApproved,
            t.ProposalsRejected,
            t.ProposalsRecorded - decided - t.ProposalsExpired,
            t.ProposalsExpired,
            decided,
            Ratio(t.ProposalsApproved, decided),
            Ratio(t.ProposalsRejected, decided),
            t.MetricSums);
    }

    private static double? Ratio(long part, long whole) => whole == 0 ? null : (double)part / whole;

    private static LedgerTotals Get(IReadOnlyDictionary<string, LedgerTotals> totals, string agent) =>
        totals.GetValueOrDefault(agent) ?? new LedgerTotals();
}
