using AgentLedger.Core.Executions;
using AgentLedger.Core.Traces;
using AgentLedger.Storage.Entities;
using AgentLedger.Storage.Rollups;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage.Stores;

/// <summary>
/// An OTLP batch's runs, planned and built before the write's turn: the plan depends on the ledger only through
/// which spans of the batch's traces are held and which of its candidate executions exist. In the turn those two
/// sets are read again; when they are unchanged, which is nearly always, the drafted rows are written as they are,
/// so the one writer spends its turn on the inserts, not on folding spans and encoding JSON while other requests
/// wait. When another writer changed them meanwhile, the batch is drafted again in the turn.
/// <para>
/// A first draft looks up only the unknown ancestors' executions (<see cref="TraceAssembly.AncestorIds"/>) and
/// takes the batch's own agent spans to be new: looking up 512 random ids, twice, cost more than the inserts that
/// check them anyway. An agent span recorded already (a batch sent again) fails its insert on the unique id; the
/// writer then drafts with <c>everyCandidate</c>, which looks them all up.
/// </para>
/// </summary>
internal sealed class SpanBatchDraft
{
    private readonly IReadOnlyList<string> _traces;
    private readonly IReadOnlyList<Guid> _candidates;
    private readonly HashSet<(string, string)> _held;
    private readonly HashSet<Guid> _recorded;

    private SpanBatchDraft(
        IReadOnlyList<string> traces, IReadOnlyList<Guid> candidates, HashSet<(string, string)> held, HashSet<Guid> recorded,
        TracePlan plan, List<object?[]> rows, List<Execution> runs, RollupBatch rollups)
    {
        _traces = traces;
        _candidates = candidates;
        _held = held;
        _recorded = recorded;
        Plan = plan;
        Rows = rows;
        Runs = runs;
        Rollups = rollups;
    }

    /// <summary>The batch's traces, in the order their locks are taken (so two writers of the same traces cannot deadlock).</summary>
    public IReadOnlyList<string> Traces => _traces;

    public TracePlan Plan { get; }

    /// <summary>The new rows' values (<see cref="LedgerStatements.Values"/>), in agent and start order, not yet written.</summary>
    public IReadOnlyList<object?[]> Rows { get; }

    public IReadOnlyList<Execution> Runs { get; }

    /// <summary>The rows' rollup deltas; copied when added to a write's (<see cref="RollupBatch.AddAll"/>), never changed.</summary>
    public RollupBatch Rollups { get; }

    public static async Task<SpanBatchDraft> CreateAsync(LedgerDbContext db, IReadOnlyList<LedgerSpan> spans, bool everyCandidate, CancellationToken cancellationToken)
    {
        var traces = spans.Select(s => s.TraceId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var heldKeys = await HeldKeysAsync(db, traces, cancellationToken);
        var held = heldKeys.Count == 0
            ? []
            : await db.HeldSpans.AsNoTracking().Where(h => traces.Contains(h.TraceId)).ToListAsync(cancellationToken);
        var assembly = new TraceAssembly(spans, held.Select(HeldSpans.ToModel));
        var candidates = (everyCandidate ? assembly.CandidateIds() : assembly.AncestorIds()).ToList();
        var recorded = await RecordedAsync(db, candidates, cancellationToken);
        var plan = assembly.Plan(recorded);

        var rows = new List<object?[]>(plan.Runs.Count);
        var runs = new List<Execution>(plan.Runs.Count);
        var rollups = new RollupBatch();
        foreach (var (start, outcome) in plan.Runs.OrderBy(r => r.Start.AgentName, StringComparer.Ordinal).ThenBy(r => r.Start.StartedAt))
        {
            var row = ExecutionRows.New(start);
            ExecutionRows.Finish(row, outcome);
            ExecutionRows.CountInto(rollups, row, outcome);
            rows.Add(LedgerStatements.Values(db, row));
            runs.Add(row.ToModel(outcome.Metrics ?? JsonColumns.ReadMetrics(null), outcome.Metadata ?? JsonColumns.ReadElement(row.Metadata)));
        }
        // The keys as they are now, held rows included: what the turn compares with.
        var keys = held.Select(h => (h.TraceId, h.SpanId)).ToHashSet();
        keys.UnionWith(heldKeys);
        return new SpanBatchDraft(traces, candidates, keys, recorded, plan, rows, runs, rollups);
    }

    /// <summary>Whether the ledger still holds what this draft was made from; read in the write's turn, after the traces are locked.</summary>
    public async Task<bool> StillHoldsAsync(LedgerDbContext db, CancellationToken cancellationToken) =>
        (await HeldKeysAsync(db, _traces, cancellationToken)).SetEquals(_held)
        && (await RecordedAsync(db, _candidates, cancellationToken)).SetEquals(_recorded);

    private static async Task<HashSet<(string, string)>> HeldKeysAsync(LedgerDbContext db, IReadOnlyList<string> traces, CancellationToken cancellationToken)
    {
        var keys = new HashSet<(string, string)>();
        if (await OnSqliteAsync(db, sqlite => Sqlite.SqliteRowWriter.ForEachRow(sqlite, "SELECT trace_id, span_id FROM otlp_held_spans WHERE trace_id IN (SELECT value FROM json_each(?1))", traces,
                row => keys.Add((SQLitePCL.raw.sqlite3_column_text(row, 0).utf8_to_string(), SQLitePCL.raw.sqlite3_column_text(row, 1).utf8_to_string()))), cancellationToken))
        {
            return keys;
        }
        foreach (var key in await db.HeldSpans.AsNoTracking().Where(h => traces.Contains(h.TraceId)).Select(h => new { h.TraceId, h.SpanId }).ToListAsync(cancellationToken))
        {
            keys.Add((key.TraceId, key.SpanId));
        }
        return keys;
    }

    private static async Task<HashSet<Guid>> RecordedAsync(LedgerDbContext db, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        var found = new HashSet<Guid>();
        if (ids.Count == 0)
        {
            return found;
        }
        if (await OnSqliteAsync(db, sqlite => Sqlite.SqliteRowWriter.ForEachRow(sqlite, "SELECT id FROM agent_executions WHERE id IN (SELECT unhex(value) FROM json_each(?1))", ids.Select(id => Convert.ToHexString((byte[])db.DbId(id))).ToList(),
                row => found.Add(Sqlite.SqliteLedgerDbContext.UuidBytesConverter.FromBytes(SQLitePCL.raw.sqlite3_column_blob(row, 0)))), cancellationToken))
        {
            return found;
        }
        return (await db.Executions.AsNoTracking().Where(e => ids.Contains(e.Id)).Select(e => e.Id).ToListAsync(cancellationToken)).ToHashSet();
    }

    /// <summary>
    /// Runs <paramref name="read"/> on the context's SQLite connection, opened for it unless the write's transaction
    /// holds it open already; false on other engines, which take one collection parameter per query instead.
    /// </summary>
    private static async Task<bool> OnSqliteAsync(LedgerDbContext db, Action<SqliteConnection> read, CancellationToken cancellationToken)
    {
        if (db.Database.GetDbConnection() is not SqliteConnection sqlite)
        {
            return false;
        }
        var open = sqlite.State != System.Data.ConnectionState.Open;
        if (open)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }
        try
        {
            read(sqlite);
        }
        finally
        {
            if (open)
            {
                await db.Database.CloseConnectionAsync();
            }
        }
        return true;
    }
}
