namespace AgentLedger.Client;

/// <summary>
/// Reports an external agent's runs to AgentLedger: start a run, then finish it with what it
/// produced, or report a finished run in one call. Calls are retried with back-off on 429, 503
/// and transient network errors, and a replay never records a run twice.
/// </summary>
public sealed class AgentLedgerClient : IDisposable
{
    private readonly HttpClient? _owned;
    private readonly LedgerTransport _transport;

    /// <summary>A client with its own connection pool, for the ledger at <paramref name="baseAddress"/>.</summary>
    /// <param name="baseAddress">Where the ledger listens, e.g. <c>http://127.0.0.1:5080</c>; a path prefix is kept.</param>
    /// <param name="apiKey">The ledger's API key (sent as <c>X-Api-Key</c>).</param>
    /// <param name="options">Retry settings; the defaults suit most agents.</param>
    public AgentLedgerClient(Uri baseAddress, string apiKey, AgentLedgerClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        // A pooled connection is renewed now and then, so a ledger that moves to a new address is found again.
        _owned = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            // Each attempt has its own timeout (AgentLedgerClientOptions.AttemptTimeout).
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _transport = Transport(_owned, baseAddress, apiKey, options);
    }

    /// <summary>A client over an <see cref="HttpClient"/> the caller owns (and disposes), e.g. from IHttpClientFactory.</summary>
    /// <param name="httpClient">Its <see cref="HttpClient.BaseAddress"/> names the ledger.</param>
    /// <param name="apiKey">The ledger's API key (sent as <c>X-Api-Key</c>).</param>
    /// <param name="options">Retry settings; the defaults suit most agents.</param>
    public AgentLedgerClient(HttpClient httpClient, string apiKey, AgentLedgerClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        var baseAddress = httpClient.BaseAddress ?? throw new ArgumentException("The HttpClient needs a BaseAddress naming the ledger.", nameof(httpClient));
        _transport = Transport(httpClient, baseAddress, apiKey, options);
    }

    /// <summary>
    /// Records a run as <c>running</c> before its work starts. Finish it with one of the run's
    /// completion calls; disposing it unfinished records it as failed.
    /// </summary>
    /// <param name="agentName">The agent; an unknown name registers an external agent.</param>
    /// <param name="metadata">Anything about the run (version, model…), serialized to a JSON object.</param>
    /// <param name="startedAt">When the work started, if before this call; now by default.</param>
    /// <param name="heartbeat">
    /// How often the run renews its lease (5 s … 1 h, whole seconds): beats are sent in the background
    /// until the run is completed, and a run whose process died is marked abandoned after two missed
    /// beats instead of after the agent's timeout. Null: no lease, the agent's timeout bounds the run.
    /// </param>
    /// <param name="cancellationToken">Stops waiting for the ledger.</param>
    public async Task<AgentRun> StartRunAsync(
        string agentName, object? metadata = null, DateTimeOffset? startedAt = null, TimeSpan? heartbeat = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentName);
        var heartbeatSeconds = heartbeat is { } interval ? HeartbeatSeconds(interval) : (int?)null;
        var meta = Wire.ToObject(metadata, nameof(metadata));
        // Id and time are fixed once, so every attempt sends the same body: the ledger answers a repeat
        // with the run the first attempt stored (200) instead of recording it again.
        var started = Wire.Microseconds(startedAt ?? _transport.Options.TimeProvider.GetUtcNow());
        var body = Wire.Serialize(new StartBody(Guid.CreateVersion7(), agentName, started, meta, heartbeatSeconds));
        var execution = await _transport.SendAsync<Execution>(HttpMethod.Post, "api/executions", body, cancellationToken).ConfigureAwait(false);
        return new AgentRun(this, execution, meta ?? [], heartbeat);
    }

    private static int HeartbeatSeconds(TimeSpan interval)
    {
        var seconds = interval.TotalSeconds;
        if (seconds is < Wire.MinHeartbeatSeconds or > Wire.MaxHeartbeatSeconds || seconds != Math.Floor(seconds))
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, $"A heartbeat is a whole number of seconds from {Wire.MinHeartbeatSeconds} to {Wire.MaxHeartbeatSeconds}.");
        }
        return (int)seconds;
    }

    /// <summary>Records a run that already ended, in one call (also to back-fill history).</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Stops waiting for the ledger.</param>
    public Task<Execution> ReportAsync(FinishedRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrWhiteSpace(run.AgentName, nameof(run));
        var startedAt = Wire.Microseconds(run.StartedAt);
        var completedAt = Wire.Microseconds(run.CompletedAt);
        var body = Wire.Serialize(new ReportBody(
            run.Id ?? Guid.CreateVersion7(), run.AgentName, startedAt, run.Status, completedAt,
            run.ErrorType is null ? null : Wire.ErrorType(run.ErrorType), run.ErrorMessage is null ? null : Wire.ErrorMessage(run.ErrorMessage),
            run.Proposals?.Select(ProposalBody.From).ToArray(), run.ProposalsCreated, run.ResourcesProcessed,
            run.Metrics, Wire.ToObject(run.Metadata, nameof(run))));
        // One body for every attempt (its id included): a replay is answered with the stored run, never recorded twice.
        return _transport.SendAsync<Execution>(HttpMethod.Post, "api/executions", body, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="work"/> as one recorded run: success with the proposals it returns;
    /// if it throws, failed with the exception's type and message (cancelled when
    /// <paramref name="cancellationToken"/> stopped it), and the exception is rethrown.
    /// </summary>
    /// <param name="agentName">The agent.</param>
    /// <param name="work">The agent's work; it may also add proposals, resources and metrics to the run.</param>
    /// <param name="metadata">Anything about the run, serialized to a JSON object.</param>
    /// <param name="heartbeat">How often the run renews its lease while the work runs (see <see cref="StartRunAsync"/>).</param>
    /// <param name="cancellationToken">Stops the ledger calls; pass it to the work as well.</param>
    /// <returns>The finished execution.</returns>
    public async Task<Execution> RunAsync(
        string agentName, Func<AgentRun, Task<IEnumerable<Proposal>>> work, object? metadata = null, TimeSpan? heartbeat = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        var run = await StartRunAsync(agentName, metadata, heartbeat: heartbeat, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (run.ConfigureAwait(false))
        {
            IEnumerable<Proposal> proposals;
            try
            {
                proposals = await work(run).ConfigureAwait(false);
            }
            catch (Exception e) when (!run.IsCompleted)
            {
                try
                {
                    // Not the caller's token: a cancelled run must still reach the ledger.
                    await (e is OperationCanceledException && cancellationToken.IsCancellationRequested
                        ? run.CancelAsync("The run was cancelled by its caller.", CancellationToken.None)
                        : run.FailAsync(e, CancellationToken.None)).ConfigureAwait(false);
                }
                catch (Exception recording)
                {
                    // The agent's own exception is the one to surface; the ledger's refusal travels with it.
                    e.Data["AgentLedger.RecordingError"] = recording;
                }
                throw;
            }
            return run.Result ?? await run.SucceedAsync(proposals ?? [], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One execution, or null if the ledger has none with that id.</summary>
    /// <param name="id">The execution's id.</param>
    /// <param name="cancellationToken">Stops waiting for the ledger.</param>
    public Task<Execution?> GetExecutionAsync(Guid id, CancellationToken cancellationToken = default) =>
        _transport.TryGetAsync<Execution>($"api/executions/{id}", cancellationToken);

    /// <summary>Releases the connection pool this client created; a caller's HttpClient is left alone.</summary>
    public void Dispose() => _owned?.Dispose();

    // The same bytes on every attempt: the ledger answers a repeated completion with the stored execution.
    internal async Task<Execution> CompleteAsync(Guid id, byte[] body, CancellationToken cancellationToken) =>
        await _transport.SendAsync<Execution>(HttpMethod.Post, $"api/executions/{id}/complete", body, cancellationToken).ConfigureAwait(false);

    // An empty body: the beat only renews the lease.
    internal async Task<Execution> BeatAsync(Guid id, CancellationToken cancellationToken) =>
        await _transport.SendAsync<Execution>(HttpMethod.Post, $"api/executions/{id}/heartbeat", "{}"u8.ToArray(), cancellationToken).ConfigureAwait(false);

    internal TimeProvider Clock => _transport.Options.TimeProvider;

    internal DateTimeOffset Now() => Wire.Microseconds(_transport.Options.TimeProvider.GetUtcNow());

    private static LedgerTransport Transport(HttpClient http, Uri baseAddress, string apiKey, AgentLedgerClientOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        if (!baseAddress.IsAbsoluteUri)
        {
            throw new ArgumentException("The ledger's address must be absolute, e.g. http://127.0.0.1:5080.", nameof(baseAddress));
        }
        // Relative paths resolve below the base only when it ends in a slash ("http://host/ledger/").
        var root = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        return new LedgerTransport(http, root, apiKey, (options ?? new AgentLedgerClientOptions()).Validated());
    }
}
