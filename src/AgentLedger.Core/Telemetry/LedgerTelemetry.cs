using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;

namespace AgentLedger.Core.Telemetry;

/// <summary>
/// The Meter and ActivitySource named "AgentLedger". Instruments are fed where the ledger is written
/// (see <see cref="TelemetryExecutionLedger"/>), so metrics can never disagree with the ledger.
/// </summary>
public sealed class LedgerTelemetry : IDisposable
{
    public const string Name = "AgentLedger";

    /// <summary>Explicit buckets from 10 ms to 1 h: the default ones stop at 10 s, and agent runs take minutes.</summary>
    public static readonly double[] DurationBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];

    /// <summary>Writes answered by one commit: powers of two up to the largest group a commit may take.</summary>
    public static readonly int[] GroupBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256];

    public static readonly ActivitySource Tracing = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _runs;
    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _active;
    private readonly Counter<long> _proposalsCreated;
    private readonly Counter<long> _proposalsDecided;
    private readonly Counter<long> _alertsRaised;
    private readonly Counter<long> _alertDeliveries;
    private readonly Counter<long> _orphanSpans;
    private readonly Histogram<int> _writesPerCommit;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastSuccess = new(StringComparer.Ordinal);

    public LedgerTelemetry(IMeterFactory meters)
    {
        _meter = meters.Create(Name);
        _runs = _meter.CreateCounter<long>("agent_runs", description: "Finished agent runs, by agent, outcome and error type.");
        _duration = _meter.CreateHistogram("agent_run_duration", unit: "s", description: "Duration of finished agent runs.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _active = _meter.CreateUpDownCounter<long>("agent_runs_active", description: "Runs in progress on this node.");
        _proposalsCreated = _meter.CreateCounter<long>("proposals_created", description: "Proposals created by agent runs.");
        _proposalsDecided = _meter.CreateCounter<long>("proposals_decided", description: "Proposals approved, rejected or expired.");
        _alertsRaised = _meter.CreateCounter<long>("alerts_raised", description: "Health changes alerted, by agent and new health.");
        _alertDeliveries = _meter.CreateCounter<long>("alert_deliveries", description: "Webhook attempts, by outcome: delivered, retrying, failed.");
        _orphanSpans = _meter.CreateCounter<long>("otlp_orphan_spans", description: "Trace spans held for an agent span that never arrived, dropped after AgentLedger:Otlp:OrphanHours.");
        _writesPerCommit = _meter.CreateHistogram("ledger_writes_per_commit", description: "Writes answered by one ledger commit (group commit): its count is the commits, its sum the writes.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = GroupBuckets });
        _meter.CreateObservableGauge("agent_last_success_timestamp_seconds", ObserveLastSuccess, unit: "s",
            description: "Unix time of each agent's newest successful run.");
    }

    public void RunFinished(Execution execution)
    {
        var agent = new KeyValuePair<string, object?>("agent", execution.AgentName);
        _runs.Add(1, agent, new("outcome", execution.Status.ToWire()), new("error_type", execution.ErrorType ?? ""));
        if (execution.DurationMs is { } ms)
        {
            _duration.Record(ms / 1000.0, agent, new("outcome", execution.Status.ToWire()));
        }
        if (execution.ProposalsCreated > 0)
        {
            _proposalsCreated.Add(execution.ProposalsCreated, agent);
        }
        if (execution is { Status: ExecutionStatus.Success, CompletedAt: { } completed })
        {
            SuccessSeen(execution.AgentName, completed);
        }
    }

    public void ProposalDecided(ProposalStatus outcome, long count = 1) =>
        _proposalsDecided.Add(count, new KeyValuePair<string, object?>("outcome", outcome.ToWire()));

    public void AlertRaised(string agentName, string health) =>
        _alertsRaised.Add(1, new KeyValuePair<string, object?>("agent", agentName), new KeyValuePair<string, object?>("health", health));

    public void AlertDelivery(string outcome) => _alertDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void OrphanSpansDropped(long count)
    {
        // Always touched, so the counter is exported (at 0) before the first orphan expires.
        _orphanSpans.Add(count);
    }

    public void Committed(int writes) => _writesPerCommit.Record(writes);

    public void RunStarted(string agentName) => _active.Add(1, new KeyValuePair<string, object?>("agent", agentName));

    public void RunEnded(string agentName) => _active.Add(-1, new KeyValuePair<string, object?>("agent", agentName));

    /// <summary>Also fed from the ledger at start-up, so the gauge is right after a restart.</summary>
    public void SuccessSeen(string agentName, DateTimeOffset completedAt) =>
        _lastSuccess.AddOrUpdate(agentName, completedAt, (_, known) => completedAt > known ? completedAt : known);

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<double>> ObserveLastSuccess() =>
        _lastSuccess.Select(p => new Measurement<double>(p.Value.ToUnixTimeMilliseconds() / 1000.0, new KeyValuePair<string, object?>("agent", p.Key)));
}
