using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;

namespace AgentLedger.Client;

/// <summary>
/// A run the ledger holds as <c>running</c>. Collect what it produces, then finish it once with
/// <see cref="SucceedAsync(CancellationToken)"/>, <see cref="FailAsync(Exception, CancellationToken)"/>,
/// <see cref="TimeoutAsync"/> or <see cref="CancelAsync"/>. Disposing it unfinished records it as
/// failed, so a run is never left running when an exception escapes its <c>await using</c> block.
/// </summary>
public sealed class AgentRun : IAsyncDisposable
{
    /// <summary>The error type of a run disposed without a completion call.</summary>
    public const string DisposedWithoutCompletion = "DisposedWithoutCompletion";

    private const int Open = 0;
    private const int Completing = 1;
    private const int Completed = 2;

    private readonly AgentLedgerClient _ledger;
    private readonly List<ProposalBody> _proposals = [];
    private readonly ConcurrentDictionary<string, double> _metrics = new(StringComparer.Ordinal);
    private readonly string _startMetadata;
    private readonly CancellationTokenSource _stopBeating = new();
    private readonly Task _beating;
    private int _state;
    private int _beatingStopped;
    private Exception? _refusal;
    private long _resourcesProcessed;

    internal AgentRun(AgentLedgerClient ledger, Execution started, JsonObject metadata, TimeSpan? heartbeat)
    {
        _ledger = ledger;
        Id = started.Id;
        AgentName = started.AgentName;
        StartedAt = started.StartedAt;
        Metadata = metadata;
        _startMetadata = metadata.ToJsonString(Wire.Options);
        _beating = heartbeat is { } interval ? BeatAsync(interval, _stopBeating.Token) : Task.CompletedTask;
    }

    /// <summary>Why the last heartbeat failed (after the client's retries), or null; beating goes on unless the ledger refused the run.</summary>
    public Exception? HeartbeatError { get; private set; }

    /// <summary>When the ledger last recorded a heartbeat of this run, or null before the first.</summary>
    public DateTimeOffset? LastHeartbeatAt { get; private set; }

    /// <summary>The execution's id in the ledger.</summary>
    public Guid Id { get; }

    /// <summary>The agent.</summary>
    public string AgentName { get; }

    /// <summary>When the run started, as recorded.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The run's metadata as sent at the start; changes are sent with the completion.</summary>
    public JsonObject Metadata { get; }

    /// <summary>Agent-specific numbers, e.g. <c>run.Metrics["pairs_scored"] = 120</c>; the ledger sums them in stats.</summary>
    public IDictionary<string, double> Metrics => _metrics;

    /// <summary>How many records the run processed.</summary>
    public long ResourcesProcessed
    {
        get => Interlocked.Read(ref _resourcesProcessed);
        set => Interlocked.Exchange(ref _resourcesProcessed, value);
    }

    /// <summary>Proposals created, when more than were added here (the ledger defaults to the number added).</summary>
    public int? ProposalsCreated { get; set; }

    /// <summary>How many proposals were added so far.</summary>
    public int ProposalCount
    {
        get
        {
            lock (_proposals)
            {
                return _proposals.Count;
            }
        }
    }

    /// <summary>Whether the ledger recorded the run's end.</summary>
    public bool IsCompleted => Volatile.Read(ref _state) == Completed;

    /// <summary>The finished execution as recorded; null until the run is completed.</summary>
    public Execution? Result { get; private set; }

    /// <summary>Adds a proposal; sent when the run succeeds. Safe to call from concurrent tasks.</summary>
    /// <param name="proposal">The proposal; its <see cref="Proposal.Data"/> is serialized now.</param>
    public void AddProposal(Proposal proposal)
    {
        var body = ProposalBody.From(proposal);
        lock (_proposals)
        {
            _proposals.Add(body);
        }
    }

    /// <summary>Adds proposals; sent when the run succeeds.</summary>
    /// <param name="proposals">The proposals.</param>
    public void AddProposals(IEnumerable<Proposal> proposals)
    {
        ArgumentNullException.ThrowIfNull(proposals);
        var bodies = proposals.Select(ProposalBody.From).ToList();
        lock (_proposals)
        {
            _proposals.AddRange(bodies);
        }
    }

    /// <summary>Records success with the proposals, resources and metrics collected.</summary>
    /// <param name="cancellationToken">Stops waiting for the ledger (the run stays open).</param>
    public Task<Execution> SucceedAsync(CancellationToken cancellationToken = default) =>
        CompleteAsync(RunOutcome.Success, null, null, null, cancellationToken);

    /// <summary>Adds <paramref name="proposals"/>, then records success.</summary>
    /// <param name="proposals">The run's proposals.</param>
    /// <param name="cancellationToken">Stops waiting for the ledger (the run stays open).</param>
    public Task<Execution> SucceedAsync(IEnumerable<Proposal> proposals, CancellationToken cancellationToken = default)
    {
        ThrowIfFinished();
        AddProposals(proposals);
        return SucceedAsync(cancellationToken);
    }

    /// <summary>
    /// Records failure with the exception's type name and message; its stack trace goes into the
    /// metadata, as for the ledger's own agents. Proposals are not sent: a failed run's drafts are
    /// not offered for review.
    /// </summary>
    /// <param name="exception">What went wrong.</param>
    /// <param name="cancellationToken">Stops waiting for the ledger (the run stays open).</param>
    public Task<Execution> FailAsync(Exception exception, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return CompleteAsync(RunOutcome.Failed, exception.GetType().Name, exception.Message, Wire.StackTrace(exception.ToString()), cancellationToken);
    }

    /// <summary>Records failure with an error type and message of the agent's choosing.</summary>
    /// <param name="errorType">A short, stable name for the kind of error, e.g. <c>TimeoutError</c>.</param>
    /// <param name="errorMessage">What went wrong.</param>
    /// <param name="cancellationToken">Stops waiting for the ledger (the run stays open).</param>
    public Task<Execution> FailAsync(string errorType, string errorMessage, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(errorType);
        ArgumentNullException.ThrowIfNull(errorMessage);
        return CompleteAsync(RunOutcome.Failed, errorType, errorMessage, null, cancellationToken);
    }

    /// <summary>Records that the run ran out of time (a failure in stats).</summary>
    /// <param name="message">What timed out.</param>
    /// <param name="cancellationToken">Stops waiting for the ledger (the run stays open).</param>
    public Task<Execution> TimeoutAsync(string? message = null, CancellationToken cancellationToken = default) =>
        CompleteAsync(RunOutcome.Timeout, "Timeout", message ?? "The run exceeded its time limit.", null, cancellationToken);

    /// <summary>Records that the run was stopped by its host or a user (neither success nor failure).</summary>
    /// <param name="reason">Why it stopped.</param>
    /// <param name="cancellationToken">Stops waiting for the ledger (the run stays open).</param>
    public Task<Execution> CancelAsync(string? reason = null, CancellationToken cancellationToken = default) =>
        CompleteAsync(RunOutcome.Cancelled, "Cancelled", reason ?? "The run was cancelled.", null, cancellationToken);

    /// <summary>
    /// Records a run that was not completed as failed. Never throws: it usually runs while an
    /// exception unwinds, and must not replace it. If the ledger cannot be reached, the run stays
    /// open in the ledger.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _state) != Open)
        {
            await StopBeatingAsync().ConfigureAwait(false);
            return;
        }
        var message = _refusal is { } refusal
            ? $"The run was disposed after its completion failed: {refusal.Message}"
            : "The run was disposed without completion (for example, an exception escaped its using block).";
        try
        {
            // Status and error only: whatever made the completion fail is not sent again.
            await CompleteAsync(RunOutcome.Failed, DisposedWithoutCompletion, message, null, CancellationToken.None, bare: true).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Best effort by design (see the summary); the retries are already spent.
        }
        await StopBeatingAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Renews the lease every <paramref name="interval"/> (the ledger abandons the run after two
    /// missed ones). A refusal other than overload (409: the run is already final, 404, 401) ends
    /// the beating: another beat would be refused the same way.
    /// </summary>
    private async Task BeatAsync(TimeSpan interval, CancellationToken stop)
    {
        // Off the caller's synchronization context: the loop must not wait for a UI or request thread.
        await Task.Yield();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, _ledger.Clock, stop).ConfigureAwait(false);
                var beat = await _ledger.BeatAsync(Id, stop).ConfigureAwait(false);
                LastHeartbeatAt = beat.LastHeartbeatAt;
                HeartbeatError = null;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (AgentLedgerException e) when (e.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
            {
                HeartbeatError = e;
                return;
            }
            catch (Exception e)
            {
                HeartbeatError = e;
            }
        }
    }

    private async Task StopBeatingAsync()
    {
        if (Interlocked.Exchange(ref _beatingStopped, 1) == 1)
        {
            return;
        }
        await _stopBeating.CancelAsync().ConfigureAwait(false);
        await _beating.ConfigureAwait(false);
        _stopBeating.Dispose();
    }

    private async Task<Execution> CompleteAsync(
        RunOutcome status, string? errorType, string? errorMessage, string? stackTrace, CancellationToken cancellationToken, bool bare = false)
    {
        if (Interlocked.CompareExchange(ref _state, Completing, Open) != Open)
        {
            ThrowIfFinished();
            throw new InvalidOperationException($"Run {Id} is being completed by another call.");
        }
        try
        {
            var body = Wire.Serialize(Body(status, errorType, errorMessage, stackTrace, bare));
            var finished = await _ledger.CompleteAsync(Id, body, cancellationToken).ConfigureAwait(false);
            Result = finished;
            Volatile.Write(ref _state, Completed);
            // A final run takes no beats (the ledger would answer 409).
            await _stopBeating.CancelAsync().ConfigureAwait(false);
            return finished;
        }
        catch (Exception e)
        {
            // Open again: the caller may retry, or disposal records the failure.
            _refusal = e;
            Volatile.Write(ref _state, Open);
            throw;
        }
    }

    private CompleteBody Body(RunOutcome status, string? errorType, string? errorMessage, string? stackTrace, bool bare)
    {
        // Taken at the first attempt: back-off waits must not lengthen the recorded duration.
        var completedAt = _ledger.Now();
        var error = (Type: errorType is null ? null : Wire.ErrorType(errorType), Message: errorMessage is null ? null : Wire.ErrorMessage(errorMessage));
        if (bare)
        {
            return new CompleteBody(status, completedAt, error.Type, error.Message, null, null, null, null, null);
        }
        List<ProposalBody>? proposals = null;
        if (status == RunOutcome.Success)
        {
            lock (_proposals)
            {
                proposals = _proposals.Count > 0 ? [.. _proposals] : null;
            }
        }
        return new CompleteBody(
            status, completedAt, error.Type, error.Message, proposals,
            status == RunOutcome.Success ? ProposalsCreated : null,
            ResourcesProcessed,
            _metrics.IsEmpty ? null : new Dictionary<string, double>(_metrics, StringComparer.Ordinal),
            CompletionMetadata(stackTrace));
    }

    /// <summary>The metadata to send, or null to keep what the start recorded (the ledger replaces it wholesale).</summary>
    private JsonObject? CompletionMetadata(string? stackTrace)
    {
        var changed = Metadata.ToJsonString(Wire.Options) != _startMetadata;
        if (stackTrace is null)
        {
            return changed ? Metadata : null;
        }
        var withTrace = (JsonObject)Metadata.DeepClone();
        withTrace["stack_trace"] = stackTrace;
        // Over the ledger's limit the failure would be refused; the error itself matters more than its trace.
        return Wire.ByteCount(withTrace) <= Wire.MaxMetadataBytes ? withTrace : changed ? Metadata : null;
    }

    private void ThrowIfFinished()
    {
        if (IsCompleted)
        {
            throw new InvalidOperationException($"Run {Id} is already completed ({Result?.Status.ToString().ToLowerInvariant()}).");
        }
    }
}
