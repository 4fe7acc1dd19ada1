using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;
using AgentLedger.Core.Settings;
using AgentLedger.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace AgentLedger.Core.Runner;

/// <summary>
/// Runs in-process agents and records every run: the <c>running</c> row is committed before the
/// agent starts, and the outcome (success, failed, timeout, cancelled) is always written, whatever
/// the agent does. At most one run per agent at a time on this node.
/// </summary>
public sealed partial class AgentRunner(
    AgentCatalog catalog,
    IExecutionLedger ledger,
    IProposalStore proposalStore,
    SettingsService settingsService,
    LedgerTelemetry telemetry,
    TimeProvider time,
    RunnerOptions options,
    ILogger<AgentRunner> logger) : IAsyncDisposable
{
    /// <summary>About two minutes of retries: a database restart or fail-over must not cost a run its outcome.</summary>
    private static readonly TimeSpan[] RecordRetryDelays =
        [.. new[] { 0.2, 1, 2, 5 }.Select(TimeSpan.FromSeconds), .. Enumerable.Repeat(TimeSpan.FromSeconds(10), 11)];

    private static readonly IReadOnlySet<string> NoPendingKeys = new HashSet<string>();

    private readonly ConcurrentDictionary<string, Task> _active = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, byte> _recording = new();
    private readonly CancellationTokenSource _shutdown = new();
    private long _runsStarted;

    public string Node => options.Node;

    public bool IsRunning(string agentName) => _active.ContainsKey(agentName);

    /// <summary>Executions of this node whose outcome is not recorded yet; their heartbeat keeps other nodes from abandoning them.</summary>
    public IReadOnlyCollection<Guid> RunningExecutions => _recording.Keys.ToList();

    /// <summary>
    /// Starts a run and returns once its <c>running</c> row is durable. Throws
    /// <see cref="NotFoundException"/> for an unknown agent and <see cref="ConflictException"/> when it
    /// is disabled (unless <paramref name="force"/>) or already running here.
    /// </summary>
    /// <param name="requestedBy">The caller of <c>POST …/run</c>: recorded on the run, and audited in its start's transaction.</param>
    public async Task<RunHandle> StartAsync(string agentName, ExecutionTrigger trigger, bool force = false, DateTimeOffset? scheduledFor = null, CancellationToken cancellationToken = default, Access.Actor? requestedBy = null)
    {
        var agent = catalog.Find(agentName) ?? throw new NotFoundException($"No in-process agent is named '{agentName}'.");
        ObjectDisposedException.ThrowIf(_shutdown.IsCancellationRequested, this);
        var settings = (await settingsService.GetAsync(agentName, cancellationToken)).Settings;
        if (!settings.Enabled && !force)
        {
            throw new ConflictException($"Agent '{agentName}' is disabled; enable it or run with force=true.");
        }

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_active.TryAdd(agentName, gate.Task))
        {
            throw new ConflictException($"Agent '{agentName}' is already running on node '{options.Node}'.");
        }

        Execution started;
        try
        {
            var now = time.GetUtcNow();
            started = await ledger.StartAsync(
                new ExecutionStart(agentName, trigger, now, scheduledFor, options.Node)
                {
                    RequestedByKey = requestedBy?.KeyName,
                    Audit = requestedBy is null ? null : Access.AuditEntry.For(requestedBy, now, Access.AuditActions.AgentRun, "agent", agentName, 202),
                },
                cancellationToken);
        }
        catch
        {
            Release(agentName, gate);
            throw;
        }

        _recording[started.Id] = 0;
        telemetry.RunStarted(agentName);
        var completion = Task.Run(() => ExecuteAsync(agent, started, settings, gate), CancellationToken.None);
        return new RunHandle(started, completion);
    }

    /// <summary>Cancels every active run and waits (bounded) for their outcomes to be recorded.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_shutdown.IsCancellationRequested)
        {
            await _shutdown.CancelAsync();
        }
        var pending = _active.Values.ToArray();
        try
        {
            await Task.WhenAll(pending).WaitAsync(options.ShutdownGrace, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            LogShutdownTimedOut(logger, pending.Count(t => !t.IsCompleted));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _shutdown.Dispose();
    }

    private async Task<Execution> ExecuteAsync(IAgent agent, Execution started, AgentSettings settings, TaskCompletionSource gate)
    {
        var runNumber = Interlocked.Increment(ref _runsStarted);
        using var activity = StartActivity(agent.Name, started);
        var resources = ResourceSnapshot.Take();
        var startTimestamp = time.GetTimestamp();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(settings.TimeoutSeconds), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _shutdown.Token);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["execution_id"] = started.Id, ["agent"] = agent.Name });

        var context = new AgentContext(started.Id, agent.Name, started.Trigger, started.StartedAt, settings, time, logger);
        // Task.Run: an agent that blocks synchronously must not hold up the runner's timeout.
        var work = Task.Run(() => agent.RunAsync(context, linked.Token), CancellationToken.None);
        ExecutionOutcome outcome;
        try
        {
            // WaitAsync returns at the deadline even if the agent ignores its token.
            var result = await work.WaitAsync(linked.Token);
            outcome = AgentResultRules.Check(result) is { } problem
                ? Ended(ExecutionStatus.Failed, "InvalidAgentResult", problem)
                : await SucceededAsync(result);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !_shutdown.IsCancellationRequested)
        {
            outcome = Ended(ExecutionStatus.Timeout, "Timeout", $"The run exceeded its timeout of {settings.TimeoutSeconds} s and was cancelled.");
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            outcome = Ended(ExecutionStatus.Cancelled, "Shutdown", "The host shut down while the run was in progress.");
        }
        catch (Exception ex)
        {
            outcome = Failed(ex);
        }

        var elapsed = time.GetElapsedTime(startTimestamp);
        var durationMs = (long)Math.Round(elapsed.TotalMilliseconds);
        // Process-wide counters measure this run only when no other run overlapped it.
        var usage = _active.Count == 1 && Interlocked.Read(ref _runsStarted) == runNumber ? resources.Delta() : (ResourceUsage?)null;
        var completedAt = started.StartedAt + elapsed;
        outcome = outcome with
        {
            CompletedAt = completedAt,
            DurationMs = durationMs,
            CpuMs = usage?.CpuMs,
            AllocatedBytes = usage?.AllocatedBytes,
            Proposals = ProposalRules.WithExpiry(outcome.Proposals, settings, completedAt),
        };

        activity?.SetTag("agentledger.status", outcome.Status.ToWire());
        if (outcome.Status != ExecutionStatus.Success)
        {
            activity?.SetTag("error.type", outcome.ErrorType);
            activity?.SetStatus(ActivityStatusCode.Error, outcome.ErrorMessage);
        }
        try
        {
            var finished = await RecordAsync(started.Id, agent.Name, outcome);
            LogFinished(logger, agent.Name, started.Id, finished.Status.ToWire(), durationMs);
            return finished;
        }
        finally
        {
            // The gate stays closed until the agent's own task ends, so a run that ignored its
            // timeout cannot overlap with the next one.
            _ = work.ContinueWith(_ => Release(agent.Name, gate), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        ExecutionOutcome Ended(ExecutionStatus status, string errorType, string message) =>
            new(status, started.StartedAt, ErrorType: errorType, ErrorMessage: message);

        async Task<ExecutionOutcome> SucceededAsync(AgentRunResult result)
        {
            // Only proposals need the de-duplication read: most runs propose nothing.
            var pending = result.Proposals.Count == 0
                ? NoPendingKeys
                : await proposalStore.PendingKeysAsync(agent.Name, CancellationToken.None);
            var (fresh, skipped) = ProposalRules.WithoutDuplicates(result.Proposals, pending);
            return new ExecutionOutcome(
                ExecutionStatus.Success,
                started.StartedAt,
                Proposals: fresh,
                ResourcesProcessed: result.ResourcesProcessed,
                Metrics: result.Metrics,
                Metadata: ProposalRules.WithSkippedCount(result.Metadata, skipped));
        }

        ExecutionOutcome Failed(Exception ex)
        {
            var metadata = new JsonObject { ["stack_trace"] = ex.ToString() };
            return new ExecutionOutcome(
                ExecutionStatus.Failed,
                started.StartedAt,
                ErrorType: ex.GetType().Name,
                ErrorMessage: ex.Message,
                Metadata: JsonSerializer.SerializeToElement(metadata));
        }
    }

    /// <summary>
    /// The outcome must reach the ledger: transient database errors are retried. If it still
    /// fails, the row stays <c>running</c> and start-up recovery marks it abandoned, so the run
    /// is never silently lost.
    /// </summary>
    private async Task<Execution> RecordAsync(Guid id, string agentName, ExecutionOutcome outcome)
    {
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return await ledger.CompleteAsync(id, outcome, CancellationToken.None);
                }
                catch (ConflictException)
                {
                    // Another node judged this run dead (missed heartbeats) and abandoned it; its
                    // verdict stands, so counts never change twice.
                    LogAlreadyFinal(logger, id);
                    return await ledger.FindAsync(id, CancellationToken.None) ?? throw new NotFoundException($"Execution '{id}' vanished.");
                }
                catch (Exception ex) when (ex is not LedgerException && attempt < RecordRetryDelays.Length)
                {
                    LogRecordRetry(logger, ex, id, attempt + 1);
                    await Task.Delay(RecordRetryDelays[attempt], time);
                }
            }
        }
        finally
        {
            _recording.TryRemove(id, out _);
            telemetry.RunEnded(agentName);
        }
    }

    /// <summary>One span per run, named and tagged as the OpenTelemetry GenAI conventions name agent invocations.</summary>
    private static Activity? StartActivity(string agentName, Execution started)
    {
        var activity = LedgerTelemetry.Tracing.StartActivity($"invoke_agent {agentName}", ActivityKind.Internal);
        activity?.SetTag("gen_ai.operation.name", "invoke_agent");
        activity?.SetTag("gen_ai.agent.name", agentName);
        activity?.SetTag("gen_ai.agent.id", agentName);
        activity?.SetTag("agentledger.execution.id", started.Id.ToString());
        activity?.SetTag("agentledger.trigger", started.Trigger.ToWire());
        return activity;
    }

    private void Release(string agentName, TaskCompletionSource gate)
    {
        _active.TryRemove(new KeyValuePair<string, Task>(agentName, gate.Task));
        gate.TrySetResult();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Agent} run {ExecutionId} finished: {Status} in {DurationMs} ms")]
    private static partial void LogFinished(ILogger logger, string agent, Guid executionId, string status, long durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the outcome of run {ExecutionId} failed (attempt {Attempt}); retrying")]
    private static partial void LogRecordRetry(ILogger logger, Exception exception, Guid executionId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {ExecutionId} was already finalised elsewhere (abandoned after missed heartbeats); its outcome here is not recorded")]
    private static partial void LogAlreadyFinal(ILogger logger, Guid executionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} runs did not finish within the shutdown grace period; recovery will mark them abandoned")]
    private static partial void LogShutdownTimedOut(ILogger logger, int count);

    private readonly record struct ResourceUsage(long CpuMs, long AllocatedBytes);

    private readonly record struct ResourceSnapshot(TimeSpan Cpu, long Allocated)
    {
        // Environment.CpuUsage is one system call; a Process object reads and parses /proc on every run.
        public static ResourceSnapshot Take() => new(Environment.CpuUsage.TotalTime, GC.GetTotalAllocatedBytes());

        public ResourceUsage Delta()
        {
            var now = Take();
            return new ResourceUsage((long)(now.Cpu - Cpu).TotalMilliseconds, now.Allocated - Allocated);
        }
    }
}
