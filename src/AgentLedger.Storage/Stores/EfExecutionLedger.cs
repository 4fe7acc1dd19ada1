using AgentLedger.Storage.Writes;
using System.Collections.Concurrent;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;
using AgentLedger.Core.Stats;
using AgentLedger.Core.Traces;
using AgentLedger.Storage.Entities;
using AgentLedger.Storage.Rollups;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage.Stores;

internal sealed class EfExecutionLedger(ILedgerDbContextFactory contexts, WritePipeline pipeline) : IExecutionLedger
{
    private static readonly string Running = ExecutionStatus.Running.ToWire();

    // The contract's bound on a run's metadata, also after heartbeats merge into it.
    private const int MaxMetadataBytes = 64 * 1024;

    private const string SpanRowsSavepoint = "otlp_rows";

    // The lookup of every completion, compiled once: no expression tree is walked per call.
    private static readonly Func<LedgerDbContext, Guid, CancellationToken, Task<ExecutionEntity?>> ById =
        EF.CompileAsyncQuery((LedgerDbContext db, Guid id, CancellationToken _) => db.Executions.AsNoTracking().SingleOrDefault(e => e.Id == id));

    /// <summary>
    /// Agents known to be registered. Agents are never deleted, so once one is seen the per-write
    /// existence check (a query in every transaction) is skipped.
    /// </summary>
    private readonly ConcurrentDictionary<string, byte> _registered = new(StringComparer.Ordinal);

    public async Task<Execution> StartAsync(ExecutionStart start, CancellationToken cancellationToken)
    {
        var run = await pipeline.WriteAsync(start.AgentName, async (db, rollups, ct) =>
        {
            var entity = await NewRowAsync(db, start, ct);
            await InsertRowAsync(db, entity, start, ct);
            if (start.Audit is { } audit)
            {
                db.Audit.Add(AccessMapping.ToEntity(audit with { ResourceId = $"{start.AgentName}/{entity.Id}" }));
            }
            await db.SaveOrConflictAsync(SlotTaken(start), ct);
            return entity.ToModel();
        }, cancellationToken);
        _registered.TryAdd(start.AgentName, 0);
        return run;
    }

    public Task<Execution> CompleteAsync(Guid id, ExecutionOutcome outcome, CancellationToken cancellationToken) =>
        // The agent is not known before the row is read; completions keep their arrival order among themselves.
        pipeline.WriteAsync(string.Empty, async (db, rollups, ct) =>
        {
            var entity = await ById(db, id, ct)
                ?? throw new NotFoundException($"No execution has id '{id}'.");
            if (entity.Status != Running)
            {
                throw new ConflictException($"Execution '{id}' is already final ({entity.Status}).");
            }
            await FinaliseAsync(db, entity, outcome, rollups, ct);
            await db.SaveOrConflictAsync($"Execution '{id}' was finalised by another request.", ct);
            return entity.ToModel();
        }, cancellationToken);

    public async Task<Execution> RecordAsync(ExecutionStart start, ExecutionOutcome outcome, CancellationToken cancellationToken)
    {
        var run = await pipeline.WriteAsync(start.AgentName, async (db, rollups, ct) =>
        {
            var entity = await NewRowAsync(db, start, ct);
            await FinaliseAsync(db, entity, outcome, rollups, ct, insert: start);
            await db.SaveOrConflictAsync(SlotTaken(start), ct);
            return entity.ToModel();
        }, cancellationToken);
        _registered.TryAdd(start.AgentName, 0);
        return run;
    }

    public async Task<SpanBatchResult> RecordSpansAsync(IReadOnlyList<LedgerSpan> spans, DateTimeOffset now, DateTimeOffset orphansExpireBefore, CancellationToken cancellationToken)
    {
        SpanBatchDraft draft;
        await using (var db = contexts.Create())
        {
            draft = await SpanBatchDraft.CreateAsync(db, spans, everyCandidate: false, cancellationToken);
        }
        var result = await pipeline.WriteAsync(string.Empty, (db, rollups, ct) => RecordSpansAsync(db, rollups, spans, draft, now, orphansExpireBefore, ct), cancellationToken);
        foreach (var run in result.Recorded)
        {
            _registered.TryAdd(run.AgentName, 0);
        }
        return result;
    }

    private async Task<SpanBatchResult> RecordSpansAsync(
        LedgerDbContext db, RollupBatch rollups, IReadOnlyList<LedgerSpan> spans, SpanBatchDraft draft, DateTimeOffset now, DateTimeOffset orphansExpireBefore,
        CancellationToken cancellationToken)
    {
        var expired = await DeleteExpiredHeldSpansAsync(db, orphansExpireBefore, cancellationToken);

        // Each trace is resolved by one writer at a time (in a fixed order, so two batches cannot deadlock):
        // a child and its agent span arriving concurrently on two nodes still meet.
        foreach (var trace in draft.Traces)
        {
            await db.LockTraceAsync(trace, cancellationToken);
        }
        if (!await draft.StillHoldsAsync(db, cancellationToken))
        {
            draft = await SpanBatchDraft.CreateAsync(db, spans, everyCandidate: false, cancellationToken);
        }
        const string concurrent = "A span of this batch was recorded by a concurrent request.";
        var transaction = db.Database.CurrentTransaction ?? throw new InvalidOperationException("An OTLP batch is written inside the pipeline's transaction.");
        await transaction.CreateSavepointAsync(SpanRowsSavepoint, cancellationToken);
        try
        {
            await LedgerStatements.InsertManyAsync(db, draft.Rows, cancellationToken);
        }
        catch (System.Data.Common.DbException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // An agent span of the batch is recorded already (the batch came again): plan it knowing every candidate.
            await transaction.RollbackToSavepointAsync(SpanRowsSavepoint, cancellationToken);
            draft = await SpanBatchDraft.CreateAsync(db, spans, everyCandidate: true, cancellationToken);
            try
            {
                await LedgerStatements.InsertManyAsync(db, draft.Rows, cancellationToken);
            }
            catch (System.Data.Common.DbException again) when (DbErrors.IsUniqueViolation(again))
            {
                throw new ConflictException(concurrent);
            }
        }
        await transaction.ReleaseSavepointAsync(SpanRowsSavepoint, cancellationToken);

        var plan = draft.Plan;
        if (plan.Release.Count > 0)
        {
            var traces = draft.Traces;
            var released = plan.Release.Select(k => $"{k.TraceId}:{k.SpanId}").ToList();
            await db.HeldSpans.Where(h => traces.Contains(h.TraceId) && released.Contains(h.TraceId + ":" + h.SpanId)).ExecuteDeleteAsync(cancellationToken);
        }
        var receivedAt = LedgerTime.Normalize(now);
        db.HeldSpans.AddRange(plan.Hold.Select(span => HeldSpans.ToEntity(span, receivedAt)));
        foreach (var start in plan.Runs.Select(r => r.Start).DistinctBy(s => s.AgentName))
        {
            await RegisterAsync(db, start, cancellationToken);
        }
        rollups.AddAll(draft.Rollups);
        await db.SaveOrConflictAsync(concurrent, cancellationToken);
        return new SpanBatchResult(draft.Runs, plan.DuplicateSpans, plan.Hold.Count, plan.RefusedSpans, expired);
    }

    public Task<int> ExpireHeldSpansAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        pipeline.WriteAsync(string.Empty, (db, _, ct) => DeleteExpiredHeldSpansAsync(db, before, ct), cancellationToken);

    /// <summary>Drops held spans received before <paramref name="before"/>: their agent span never came within OrphanHours.</summary>
    private static Task<int> DeleteExpiredHeldSpansAsync(LedgerDbContext db, DateTimeOffset before, CancellationToken cancellationToken)
    {
        var cutoff = LedgerTime.Normalize(before);
        return db.HeldSpans.Where(h => h.ReceivedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }

    public Task<IReadOnlyList<Guid>> AbandonRunningAsync(string node, DateTimeOffset now, CancellationToken cancellationToken) =>
        AbandonAsync(
            e => e.Node == node,
            $"The process running this execution on node '{node}' stopped before it finished; marked abandoned on restart.",
            now,
            cancellationToken);

    public Task<IReadOnlyList<Guid>> AbandonStaleAsync(DateTimeOffset staleBefore, DateTimeOffset now, CancellationToken cancellationToken) =>
        AbandonAsync(
            e => e.HeartbeatAt < staleBefore,
            $"The node running this execution stopped sending heartbeats (none since {staleBefore:O}); marked abandoned.",
            now,
            cancellationToken);

    public Task<IReadOnlyList<Guid>> AbandonOverdueAsync(IReadOnlyCollection<Guid> executionIds, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = executionIds.ToArray();
        return AbandonAsync(e => ids.Contains(e.Id), reason, now, cancellationToken, includeExternal: true);
    }

    public Task<Execution> BeatAsync(Guid id, System.Text.Json.JsonElement? metadata, DateTimeOffset now, CancellationToken cancellationToken) =>
        pipeline.WriteAsync(string.Empty, async (db, _, ct) =>
        {
            var entity = await ById(db, id, ct)
                ?? throw new NotFoundException($"No execution has id '{id}'.");
            if (entity.Status != Running)
            {
                throw new ConflictException($"Execution '{id}' is already final ({entity.Status}); a heartbeat renews only a running execution.");
            }
            if (entity.Node is not null)
            {
                throw new ConflictException($"Execution '{id}' is run by AgentLedger node '{entity.Node}', which keeps it alive itself.");
            }
            // A beat never moves the lease backwards (a client's clock or a late retry).
            var beat = LedgerTime.Normalize(now);
            entity.HeartbeatAt = entity.HeartbeatAt is { } last && last > beat ? last : beat;
            entity.Metadata = JsonColumns.Merge(entity.Metadata, metadata);
            if (entity.Metadata is { } merged && System.Text.Encoding.UTF8.GetByteCount(merged) > MaxMetadataBytes)
            {
                throw new PayloadTooLargeException($"metadata would be larger than {MaxMetadataBytes / 1024} KiB serialized once merged; nothing was changed.");
            }
            if (!await LedgerStatements.BeatAsync(db, entity, Running, ct))
            {
                throw new ConflictException($"Execution '{id}' was finalised meanwhile; a heartbeat renews only a running execution.");
            }
            return entity.ToModel();
        }, cancellationToken);

    public Task<IReadOnlyList<Guid>> AbandonLapsedAsync(IReadOnlyCollection<Guid> executionIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = executionIds.ToArray();
        var at = LedgerTime.Normalize(now);
        return AbandonAsync(
            e => ids.Contains(e.Id) && e.HeartbeatSeconds != null,
            row => $"No heartbeat since {(row.HeartbeatAt ?? row.StartedAt):O}, more than twice its heartbeat_seconds ({row.HeartbeatSeconds} s): the reporting process is presumed dead; marked abandoned.",
            now,
            cancellationToken,
            includeExternal: true,
            // Re-checked on the row read inside the write's transaction: a heartbeat that landed meanwhile keeps the run.
            stillDue: row => row.ToModel().LeaseExpiresAt() is { } expires && expires < at);
    }

    public async Task HeartbeatAsync(IReadOnlyCollection<Guid> executionIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (executionIds.Count == 0)
        {
            return;
        }
        now = LedgerTime.Normalize(now);
        var ids = executionIds.ToArray();
        await pipeline.WriteAsync(string.Empty, (db, _, ct) => db.Executions
            .Where(e => ids.Contains(e.Id) && e.Status == Running)
            .ExecuteUpdateAsync(set => set.SetProperty(e => e.HeartbeatAt, now), ct), cancellationToken);
    }

    /// <summary>
    /// Abandons in-process runs (external agents' open runs are theirs to finish) matching a rule,
    /// one transaction each so a run completing meanwhile simply wins (status concurrency token).
    /// </summary>
    private Task<IReadOnlyList<Guid>> AbandonAsync(System.Linq.Expressions.Expression<Func<ExecutionEntity, bool>> rule, string reason, DateTimeOffset now, CancellationToken cancellationToken, bool includeExternal = false) =>
        AbandonAsync(rule, _ => reason, now, cancellationToken, includeExternal);

    private async Task<IReadOnlyList<Guid>> AbandonAsync(
        System.Linq.Expressions.Expression<Func<ExecutionEntity, bool>> rule, Func<ExecutionEntity, string> reason, DateTimeOffset now, CancellationToken cancellationToken,
        bool includeExternal, Func<ExecutionEntity, bool>? stillDue = null)
    {
        var external = ExecutionTrigger.External.ToWire();
        List<Guid> candidates;
        await using (var db = contexts.Create())
        {
            // Naming the agents (every execution's agent is registered) makes this one seek per agent
            // on (agent_name, status): without it the status filter scans the whole table, every beat.
            var agents = db.Agents.Select(a => a.Name);
            candidates = await db.Executions.AsNoTracking()
                .Where(e => agents.Contains(e.AgentName) && e.Status == Running && (includeExternal || e.Trigger != external))
                .Where(rule)
                .Select(e => e.Id)
                .ToListAsync(cancellationToken);
        }
        // One write per run, all queued at once: they share commits, and a run completing meanwhile simply wins.
        var writes = candidates.Select(id => pipeline.WriteAsync(string.Empty, async (db, rollups, ct) =>
        {
            var orphan = await db.Executions.AsNoTracking().SingleAsync(e => e.Id == id, ct);
            if (orphan.Status != Running || stillDue?.Invoke(orphan) == false)
            {
                return false;
            }
            // When the work stopped is unknown, so no duration is invented.
            var outcome = new ExecutionOutcome(
                ExecutionStatus.Abandoned,
                LedgerTime.Normalize(now) < orphan.StartedAt ? orphan.StartedAt : now,
                ErrorType: "Abandoned",
                ErrorMessage: reason(orphan));
            try
            {
                await FinaliseAsync(db, orphan, outcome, rollups, ct, measureDuration: false);
                await db.SaveOrConflictAsync("finalised meanwhile", ct);
                return true;
            }
            catch (ConflictException)
            {
                // The run finished between our read and our write: its own outcome stands.
                return false;
            }
        }, cancellationToken)).ToList();
        var done = await Task.WhenAll(writes);
        return candidates.Where((_, i) => done[i]).ToList();
    }

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> LastScheduledAsync(IReadOnlyCollection<string> agents, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var result = new Dictionary<string, DateTimeOffset>();
        foreach (var agent in agents)
        {
            // One seek on the unique (agent_name, scheduled_for) index.
            var last = await db.Executions.AsNoTracking()
                .Where(e => e.AgentName == agent && e.ScheduledFor != null)
                .OrderByDescending(e => e.ScheduledFor)
                .Select(e => e.ScheduledFor)
                .FirstOrDefaultAsync(cancellationToken);
            if (last is { } value)
            {
                result[agent] = value;
            }
        }
        return result;
    }

    public async Task<Execution?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        var entity = await db.Executions.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        return entity?.ToModel();
    }

    public async Task<Page<Execution>> ListAsync(string agentName, ExecutionFilter filter, CancellationToken cancellationToken)
    {
        var cursor = Cursor.Decode(filter.Cursor);
        await using var db = contexts.Create();
        var query = (filter.TraceId is { } traceId ? db.ExecutionsOfTrace(traceId) : db.Executions).AsNoTracking().Where(e => e.AgentName == agentName);
        if (filter.Status is { } status)
        {
            var wire = status.ToWire();
            query = query.Where(e => e.Status == wire);
        }
        if (filter.From is { } from)
        {
            query = query.Where(e => e.StartedAt >= from);
        }
        if (filter.To is { } to)
        {
            query = query.Where(e => e.StartedAt < to);
        }
        if (cursor is { } c)
        {
            query = query.Where(e => e.StartedAt < c.At || (e.StartedAt == c.At && e.Seq < c.Seq));
        }
        var rows = await query
            .OrderByDescending(e => e.StartedAt).ThenByDescending(e => e.Seq)
            .Take(filter.Limit + 1)
            .ToListAsync(cancellationToken);
        var next = rows.Count > filter.Limit ? new Cursor(rows[filter.Limit - 1].StartedAt, rows[filter.Limit - 1].Seq).Encode() : null;
        return new Page<Execution>(rows.Take(filter.Limit).Select(r => r.ToModel()).ToList(), next);
    }

    private static string SlotTaken(ExecutionStart start) =>
        $"The scheduled slot {start.ScheduledFor:O} of agent '{start.AgentName}' was already claimed by another node.";

    /// <summary>The row of a new execution (not yet written), registering its agent in the unit of work if it is new.</summary>
    private async Task<ExecutionEntity> NewRowAsync(LedgerDbContext db, ExecutionStart start, CancellationToken cancellationToken)
    {
        await RegisterAsync(db, start, cancellationToken);
        return ExecutionRows.New(start);
    }

    /// <summary>Registers the agent of <paramref name="start"/> in the unit of work unless it is known to exist.</summary>
    private async Task RegisterAsync(LedgerDbContext db, ExecutionStart start, CancellationToken cancellationToken)
    {
        if (_registered.ContainsKey(start.AgentName))
        {
            return;
        }
        await db.EnsureAgentAsync(new AgentEntity
        {
            Name = start.AgentName,
            DisplayName = start.DisplayName ?? start.AgentName,
            Description = start.TraceId is null ? "External agent, registered on its first reported run." : "External agent, registered on its first run received as OpenTelemetry trace spans.",
            Kind = AgentKind.External.ToWire(),
            FirstSeenAt = LedgerTime.Normalize(start.StartedAt),
        }, cancellationToken);
    }

    private static async Task InsertRowAsync(LedgerDbContext db, ExecutionEntity entity, ExecutionStart start, CancellationToken cancellationToken)
    {
        try
        {
            await LedgerStatements.InsertAsync(db, entity, cancellationToken);
        }
        catch (System.Data.Common.DbException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // A report with a client-chosen id and no slot can only collide on its id: a concurrent retry.
            throw start.Id is { } id && start.ScheduledFor is null
                ? new ConflictException($"Execution '{id}' is already stored.", ConflictException.IdTaken)
                : new ConflictException(SlotTaken(start));
        }
    }

    /// <summary>
    /// Writes the outcome and the proposals it adds in the caller's transaction, and adds its rollup deltas to
    /// <paramref name="rollups"/> (the pipeline writes a group's at once): as a new row when <paramref name="insert"/>
    /// is given (a run reported finished), else
    /// over the running row, which must still be running (<see cref="ConflictException"/> when another writer finalised it).
    /// </summary>
    private static async Task FinaliseAsync(
        LedgerDbContext db, ExecutionEntity entity, ExecutionOutcome outcome, RollupBatch rollups, CancellationToken cancellationToken,
        bool measureDuration = true, ExecutionStart? insert = null)
    {
        ExecutionRows.Finish(entity, outcome, measureDuration);
        var proposals = outcome.Proposals ?? [];
        var completedAt = entity.CompletedAt!.Value;
        if (insert is not null)
        {
            await InsertRowAsync(db, entity, insert, cancellationToken);
        }
        else if (!await LedgerStatements.FinaliseAsync(db, entity, Running, cancellationToken))
        {
            throw new ConflictException($"Execution '{entity.Id}' was finalised by another request.");
        }
        ExecutionRows.CountInto(rollups, entity, outcome);

        if (proposals.Count == 0)
        {
            return;
        }
        foreach (var draft in proposals)
        {
            db.Proposals.Add(new ProposalEntity
            {
                Id = Guid.CreateVersion7(),
                ExecutionId = entity.Id,
                AgentName = entity.AgentName,
                Type = draft.Type,
                Title = draft.Title,
                Explanation = draft.Explanation,
                InputsUsed = JsonColumns.WriteStrings(draft.InputsUsed),
                Data = JsonColumns.Write(draft.Data),
                Status = ProposalStatus.Pending.ToWire(),
                CreatedAt = completedAt,
                ExpiresAt = LedgerTime.Normalize(draft.ExpiresAt),
            });
        }
        var proposalDelta = new LedgerTotals();
        foreach (var _ in proposals)
        {
            proposalDelta.AddProposal(ProposalStatus.Pending);
        }
        rollups.Add(entity.AgentName, completedAt, proposalDelta);
    }
}
