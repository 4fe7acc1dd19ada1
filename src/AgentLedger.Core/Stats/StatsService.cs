using AgentLedger.Core.Executions;
using AgentLedger.Core.Settings;

namespace AgentLedger.Core.Stats;

/// <summary>Turns ledger totals into the stats object of the contract. Reads only the ledger.</summary>
public sealed class StatsService(IStatsSource source, SettingsService settings, TimeProvider time)
{
    /// <summary>One microsecond: windows include a run that started at exactly "now".</summary>
    private static readonly TimeSpan Inclusive = TimeSpan.FromTicks(TimeSpan.TicksPerMicrosecond);

    public async Task<IReadOnlyDictionary<string, AgentStats>> GetAsync(IReadOnlyCollection<string> agents, StatsWindow window, CancellationToken cancellationToken)
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

        return agents.ToDictionary(
            agent => agent,
            agent => Compose(agent, effective[agent].Settings.Enabled, window, range, Get(inWindow, agent), Get(thirty, agent), Get(allTime, agent), latest.GetValueOrDefault(agent)));
    }

    public static AgentStats Compose(string agent, bool enabled, StatsWindow window, TimeWindow range, LedgerTotals inWindow, LedgerTotals thirty, LedgerTotals allTime, LatestRuns? latest)
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
                t.Histogram.Percentile(0.50),
                t.Histogram.Percentile(0.95),
                t.Histogram.Percentile(0.99),
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
