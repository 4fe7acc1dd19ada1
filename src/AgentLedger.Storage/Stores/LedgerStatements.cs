using System.Data.Common;
using AgentLedger.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace AgentLedger.Storage.Stores;

/// <summary>
/// The statements every run pays for, written by hand: inserting an execution, finalising it, and
/// upserting its rollup buckets. Through EF Core's change tracker these were about half of the
/// CPU per recorded run (snapshots, change detection of 19-column rollup rows with byte-array
/// histograms, command batching); here each is one prepared-shape statement on the unit of work's
/// own connection and transaction, so atomicity and isolation are exactly those of the caller.
/// Both engines speak this SQL (RETURNING, ON CONFLICT … DO UPDATE); only value encodings differ
/// (<see cref="LedgerDbContext.DbTime"/>, <see cref="LedgerDbContext.DbId"/>).
/// </summary>
internal static class LedgerStatements
{
    private const string ExecutionColumns =
        "id, agent_name, trigger, scheduled_for, node, started_at, completed_at, duration_ms, status, error_type, error_message, " +
        "proposals_created, resources_processed, metrics, metadata, cpu_ms, allocated_bytes, heartbeat_at, heartbeat_seconds, over_timeout, report_hash, completion_hash, requested_by_key, trace_id, span_id, parent_execution_id";

    private const string InsertExecutionSql =
        $"INSERT INTO agent_executions ({ExecutionColumns}) VALUES (@id, @agent_name, @trigger, @scheduled_for, @node, @started_at, @completed_at, " +
        "@duration_ms, @status, @error_type, @error_message, @proposals_created, @resources_processed, @metrics, @metadata, @cpu_ms, @allocated_bytes, @heartbeat_at, " +
        "@heartbeat_seconds, @over_timeout, @report_hash, @completion_hash, @requested_by_key, @trace_id, @span_id, @parent_execution_id)";

    private const string InsertExecutionReturningSeqSql = InsertExecutionSql + " RETURNING seq";

    // The status in the WHERE is the concurrency check: of two finalisations of one run, one changes a row.
    private const string FinaliseExecutionSql =
        "UPDATE agent_executions SET status = @status, completed_at = @completed_at, duration_ms = @duration_ms, error_type = @error_type, " +
        "error_message = @error_message, proposals_created = @proposals_created, resources_processed = @resources_processed, metrics = @metrics, " +
        "metadata = @metadata, cpu_ms = @cpu_ms, allocated_bytes = @allocated_bytes, over_timeout = @over_timeout, completion_hash = @completion_hash " +
        "WHERE seq = @seq AND status = @expected";

    // A heartbeat renews an open run only: once final, the row no longer changes.
    private const string BeatExecutionSql =
        "UPDATE agent_executions SET heartbeat_at = @heartbeat_at, metadata = @metadata WHERE seq = @seq AND status = @expected";

    private const string RollupColumns =
        "agent_name, period, bucket_start, success_count, failed_count, timeout_count, cancelled_count, abandoned_count, proposals_created, " +
        "resources_processed, duration_count, duration_sum_ms, duration_max_ms, duration_histogram, metric_sums, proposals_recorded, " +
        "proposals_approved, proposals_rejected, proposals_expired";

    private static readonly string[] RollupColumnNames = RollupColumns.Split(", ");

    // A run's hour, day and all-time buckets: three rows, three distinct keys, one statement.
    private static readonly string UpsertThreeRollupsSql =
        $"INSERT INTO agent_rollups ({RollupColumns}) VALUES " +
        string.Join(", ", Enumerable.Range(0, 3).Select(i => $"({string.Join(", ", RollupColumnNames.Select(c => $"@{c}_{i}"))})")) +
        " ON CONFLICT (period, bucket_start, agent_name) DO UPDATE SET " +
        string.Join(", ", RollupColumnNames.Skip(3).Select(c => $"{c} = excluded.{c}"));

    /// <summary>Inserts the row and sets its <see cref="ExecutionRow.Seq"/>; a unique violation (a claimed slot) propagates as the engine's exception.</summary>
    public static async Task InsertAsync(LedgerDbContext db, ExecutionEntity row, CancellationToken cancellationToken)
    {
        await using var insert = new ExecutionInsert(db);
        await insert.InsertAsync(row, cancellationToken);
    }

    /// <summary>
    /// Inserts many rows (an OTLP batch) from their <see cref="Values"/>, in the order given, without reading back
    /// their <see cref="ExecutionRow.Seq"/>: on SQLite through <see cref="Sqlite.SqliteRowWriter"/>, elsewhere one
    /// prepared INSERT per row.
    /// </summary>
    public static async Task InsertManyAsync(LedgerDbContext db, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        if (db.Database.GetDbConnection() is Microsoft.Data.Sqlite.SqliteConnection sqlite)
        {
            Sqlite.SqliteRowWriter.InsertAll(sqlite, InsertExecutionSql, rows);
            return;
        }
        await using var insert = new ExecutionInsert(db, InsertExecutionSql);
        foreach (var values in rows)
        {
            await insert.ExecuteAsync(values, cancellationToken);
        }
    }

    /// <summary>
    /// A row's values in <see cref="ExecutionColumns"/> order, as this engine's columns hold them: for rows built
    /// before their write's turn, so the turn only binds them.
    /// </summary>
    public static object?[] Values(LedgerDbContext db, ExecutionEntity row) =>
    [
        db.DbId(row.Id), row.AgentName, row.Trigger, db.DbTime(row.ScheduledFor), row.Node, db.DbTime(row.StartedAt), db.DbTime(row.CompletedAt),
        row.DurationMs, row.Status, row.ErrorType, row.ErrorMessage, row.ProposalsCreated, row.ResourcesProcessed, row.Metrics, row.Metadata,
        row.CpuMs, row.AllocatedBytes, db.DbTime(row.HeartbeatAt), row.HeartbeatSeconds, row.OverTimeout, row.ReportHash, row.CompletionHash,
        row.RequestedByKey, row.TraceId, row.SpanId, row.ParentExecutionId is { } parent ? db.DbId(parent) : null,
    ];

    /// <summary>
    /// The execution INSERT, prepared once and run for as many rows as the unit of work writes. Preparing
    /// the 26-column statement again for each run of a 512-run OTLP batch was a third of the writer's time.
    /// </summary>
    internal sealed class ExecutionInsert(LedgerDbContext db, string sql = InsertExecutionReturningSeqSql) : IAsyncDisposable
    {
        private static readonly string[] Columns = ExecutionColumns.Split(", ");
        private DbCommand? _command;

        /// <summary>Inserts the row and sets its <see cref="ExecutionRow.Seq"/>.</summary>
        public async Task InsertAsync(ExecutionEntity row, CancellationToken cancellationToken) =>
            row.Seq = Convert.ToInt64(await Bound(Values(db, row)).ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>Inserts a row given as its <see cref="Values"/> (the statement without RETURNING).</summary>
        public Task ExecuteAsync(object?[] values, CancellationToken cancellationToken) => Bound(values).ExecuteNonQueryAsync(cancellationToken);

        private DbCommand Bound(object?[] values)
        {
            var command = _command ??= Prepared();
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }
            return command;
        }

        private DbCommand Prepared()
        {
            var command = Command(db, sql);
            foreach (var column in Columns)
            {
                Add(command, column, null);
            }
            return command;
        }

        public ValueTask DisposeAsync() => _command?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    /// <summary>Writes the outcome of a row that is still <paramref name="expected"/>; false when another writer finalised it first.</summary>
    public static async Task<bool> FinaliseAsync(LedgerDbContext db, ExecutionEntity row, string expected, CancellationToken cancellationToken)
    {
        await using var command = Command(db, FinaliseExecutionSql);
        Add(command, "seq", row.Seq);
        Add(command, "expected", expected);
        AddOutcome(db, command, row);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Renews the heartbeat (and metadata) of a row that is still <paramref name="expected"/>; false when it was finalised meanwhile.</summary>
    public static async Task<bool> BeatAsync(LedgerDbContext db, ExecutionEntity row, string expected, CancellationToken cancellationToken)
    {
        await using var command = Command(db, BeatExecutionSql);
        Add(command, "seq", row.Seq);
        Add(command, "expected", expected);
        Add(command, "heartbeat_at", db.DbTime(row.HeartbeatAt));
        Add(command, "metadata", row.Metadata);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Writes three buckets (distinct keys) with their merged values, inserting those that do not exist yet.</summary>
    public static async Task UpsertAsync(LedgerDbContext db, IReadOnlyList<RollupEntity> rows, CancellationToken cancellationToken)
    {
        if (rows.Count != 3)
        {
            throw new ArgumentException("A run has exactly three buckets: hour, day and all time.", nameof(rows));
        }
        await using var command = Command(db, UpsertThreeRollupsSql);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            object?[] values =
            [
                row.AgentName, row.Period, db.DbTime(row.BucketStart), row.SuccessCount, row.FailedCount, row.TimeoutCount, row.CancelledCount,
                row.AbandonedCount, row.ProposalsCreated, row.ResourcesProcessed, row.DurationCount, row.DurationSumMs, row.DurationMaxMs,
                row.DurationHistogram, row.MetricSums, row.ProposalsRecorded, row.ProposalsApproved, row.ProposalsRejected, row.ProposalsExpired,
            ];
            for (var c = 0; c < values.Length; c++)
            {
                Add(command, $"{RollupColumnNames[c]}_{i}", values[c]);
            }
        }
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddOutcome(LedgerDbContext db, DbCommand command, ExecutionEntity row)
    {
        Add(command, "status", row.Status);
        Add(command, "completed_at", db.DbTime(row.CompletedAt));
        Add(command, "duration_ms", row.DurationMs);
        Add(command, "error_type", row.ErrorType);
        Add(command, "error_message", row.ErrorMessage);
        Add(command, "proposals_created", row.ProposalsCreated);
        Add(command, "resources_processed", row.ResourcesProcessed);
        Add(command, "metrics", row.Metrics);
        Add(command, "metadata", row.Metadata);
        Add(command, "cpu_ms", row.CpuMs);
        Add(command, "allocated_bytes", row.AllocatedBytes);
        Add(command, "over_timeout", row.OverTimeout);
        Add(command, "completion_hash", row.CompletionHash);
    }

    private static DbCommand Command(LedgerDbContext db, string sql)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Ledger statements run inside the caller's transaction.");
        return command;
    }

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        // With its prefix, Microsoft.Data.Sqlite finds the name in one lookup instead of trying '@', '$' and ':' in turn.
        parameter.ParameterName = "@" + name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
