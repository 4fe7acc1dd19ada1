using AgentLedger.Core.Common;
using AgentLedger.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace AgentLedger.Bench.Datasets;

/// <summary>
/// Prepared INSERTs in large transactions, with the secondary indexes dropped during the load and
/// rebuilt from their own definitions afterwards (one sort per index instead of 10 M random
/// B-tree inserts). Times are integer microseconds and ids 16-byte blobs, as the ledger stores them.
/// </summary>
public sealed class SqliteBulkWriter(string path) : IBulkWriter
{
    private const int RowsPerTransaction = 200_000;
    private static readonly string[] Tables = ["agent_executions", "proposals"];

    private readonly SqliteConnection _connection = new($"Data Source={path};Pooling=False");
    private readonly List<string> _indexes = [];
    private SqliteTransaction? _transaction;
    private SqliteCommand? _execution;
    private SqliteCommand? _proposal;
    private int _pending;

    public async Task BeginAsync(CancellationToken cancellationToken)
    {
        await _connection.OpenAsync(cancellationToken);
        // Generated data need not survive a power cut while it is written: it is made durable once, at the end.
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;");
        foreach (var table in Tables)
        {
            using var list = _connection.CreateCommand();
            list.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $table AND sql IS NOT NULL";
            list.Parameters.AddWithValue("$table", table);
            var found = new List<(string Name, string Sql)>();
            using (var reader = list.ExecuteReader())
            {
                while (reader.Read())
                {
                    found.Add((reader.GetString(0), reader.GetString(1)));
                }
            }
            foreach (var (name, sql) in found)
            {
                _indexes.Add(sql);
                Execute($"DROP INDEX \"{name}\"");
            }
        }
        _execution = Prepare("""
            INSERT INTO agent_executions (id, agent_name, trigger, scheduled_for, node, started_at, completed_at, duration_ms, status,
                error_type, error_message, proposals_created, resources_processed, metrics, metadata, cpu_ms, allocated_bytes, heartbeat_at)
            VALUES ($id, $agent, $trigger, NULL, NULL, $started, $completed, $duration, $status,
                $error_type, $error_message, $proposals, $resources, $metrics, $metadata, NULL, NULL, $started)
            """, "$id", "$agent", "$trigger", "$started", "$completed", "$duration", "$status", "$error_type", "$error_message", "$proposals", "$resources", "$metrics", "$metadata");
        _proposal = Prepare("""
            INSERT INTO proposals (id, execution_id, agent_name, type, title, explanation, inputs_used, data, status, created_at, expires_at, decided_at, decided_by, decision_reason)
            VALUES ($id, $execution, $agent, $type, $title, $explanation, $inputs, $data, $status, $created, $expires, $decided, $decided_by, NULL)
            """, "$id", "$execution", "$agent", "$type", "$title", "$explanation", "$inputs", "$data", "$status", "$created", "$expires", "$decided", "$decided_by");
        _transaction = _connection.BeginTransaction();
        _execution.Transaction = _transaction;
        _proposal.Transaction = _transaction;
    }

    public void Add(ExecutionRowData row)
    {
        var p = _execution!.Parameters;
        p[0].Value = Id(row.Id);
        p[1].Value = row.AgentName;
        p[2].Value = row.Trigger;
        p[3].Value = Micros(row.StartedAt);
        p[4].Value = row.CompletedAt is { } completed ? Micros(completed) : DBNull.Value;
        p[5].Value = (object?)row.DurationMs ?? DBNull.Value;
        p[6].Value = row.Status;
        p[7].Value = (object?)row.ErrorType ?? DBNull.Value;
        p[8].Value = (object?)row.ErrorMessage ?? DBNull.Value;
        p[9].Value = row.ProposalsCreated;
        p[10].Value = row.ResourcesProcessed;
        p[11].Value = (object?)row.Metrics ?? DBNull.Value;
        p[12].Value = (object?)row.Metadata ?? DBNull.Value;
        _execution.ExecuteNonQuery();
        Tick();
    }

    public void Add(ProposalRowData row)
    {
        var p = _proposal!.Parameters;
        p[0].Value = Id(row.Id);
        p[1].Value = Id(row.ExecutionId);
        p[2].Value = row.AgentName;
        p[3].Value = row.Type;
        p[4].Value = row.Title;
        p[5].Value = (object?)row.Explanation ?? DBNull.Value;
        p[6].Value = row.InputsUsed;
        p[7].Value = (object?)row.Data ?? DBNull.Value;
        p[8].Value = row.Status;
        p[9].Value = Micros(row.CreatedAt);
        p[10].Value = row.ExpiresAt is { } expires ? Micros(expires) : DBNull.Value;
        p[11].Value = row.DecidedAt is { } decided ? Micros(decided) : DBNull.Value;
        p[12].Value = (object?)row.DecidedBy ?? DBNull.Value;
        _proposal.ExecuteNonQuery();
        Tick();
    }

    public Task FinishAsync(CancellationToken cancellationToken)
    {
        _transaction!.Commit();
        _transaction.Dispose();
        _transaction = null;
        foreach (var sql in _indexes)
        {
            Execute(sql);
        }
        Execute("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA synchronous=FULL;");
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _execution?.Dispose();
        _proposal?.Dispose();
        _transaction?.Dispose();
        await _connection.DisposeAsync();
    }

    /// <summary>What the ledger's SQLite value converter writes for a uuid: its 16 bytes.</summary>
    public static byte[] Id(Guid id) => SqliteLedgerDbContext.UuidBytesConverter.ToBytes(id);

    /// <summary>What the ledger's SQLite value converter writes for a time.</summary>
    public static long Micros(DateTimeOffset time) => (LedgerTime.Normalize(time).UtcTicks - DateTimeOffset.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;

    private void Tick()
    {
        if (++_pending < RowsPerTransaction)
        {
            return;
        }
        _pending = 0;
        _transaction!.Commit();
        _transaction.Dispose();
        _transaction = _connection.BeginTransaction();
        _execution!.Transaction = _transaction;
        _proposal!.Transaction = _transaction;
    }

    private SqliteCommand Prepare(string sql, params string[] names)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        return command;
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        command.ExecuteNonQuery();
    }
}
