using Npgsql;
using NpgsqlTypes;

namespace AgentLedger.Bench.Datasets;

/// <summary>
/// Binary COPY with the secondary indexes dropped during the load and rebuilt from their own
/// definitions afterwards; ANALYZE at the end, as autovacuum would do after such a load.
/// </summary>
public sealed class PostgresBulkWriter(string connectionString) : IBulkWriter
{
    private static readonly string[] Tables = ["agent_executions", "proposals"];

    private readonly NpgsqlConnection _executionsConnection = new(connectionString);
    private readonly NpgsqlConnection _proposalsConnection = new(connectionString);
    private readonly List<string> _indexes = [];
    private NpgsqlBinaryImporter? _executions;
    private NpgsqlBinaryImporter? _proposals;

    public async Task BeginAsync(CancellationToken cancellationToken)
    {
        await _executionsConnection.OpenAsync(cancellationToken);
        await _proposalsConnection.OpenAsync(cancellationToken);
        foreach (var table in Tables)
        {
            var found = new List<(string Name, string Sql)>();
            await using (var list = new NpgsqlCommand(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = @table AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype = 'p')",
                _executionsConnection))
            {
                list.Parameters.AddWithValue("table", table);
                await using var reader = await list.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    found.Add((reader.GetString(0), reader.GetString(1)));
                }
            }
            foreach (var (name, sql) in found)
            {
                _indexes.Add(sql);
                await ExecuteAsync($"DROP INDEX \"{name}\"", cancellationToken);
            }
        }
        _executions = await _executionsConnection.BeginBinaryImportAsync("""
            COPY agent_executions (id, agent_name, trigger, started_at, completed_at, duration_ms, status, error_type, error_message,
                proposals_created, resources_processed, metrics, metadata, heartbeat_at) FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
        _proposals = await _proposalsConnection.BeginBinaryImportAsync("""
            COPY proposals (id, execution_id, agent_name, type, title, explanation, inputs_used, data, status, created_at, expires_at, decided_at, decided_by)
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
    }

    public void Add(ExecutionRowData row)
    {
        var copy = _executions!;
        copy.StartRow();
        copy.Write(row.Id, NpgsqlDbType.Uuid);
        copy.Write(row.AgentName, NpgsqlDbType.Varchar);
        copy.Write(row.Trigger, NpgsqlDbType.Varchar);
        copy.Write(row.StartedAt, NpgsqlDbType.TimestampTz);
        WriteNullable(copy, row.CompletedAt, NpgsqlDbType.TimestampTz);
        WriteNullable(copy, row.DurationMs, NpgsqlDbType.Bigint);
        copy.Write(row.Status, NpgsqlDbType.Varchar);
        WriteText(copy, row.ErrorType, NpgsqlDbType.Varchar);
        WriteText(copy, row.ErrorMessage, NpgsqlDbType.Text);
        copy.Write(row.ProposalsCreated, NpgsqlDbType.Integer);
        copy.Write(row.ResourcesProcessed, NpgsqlDbType.Bigint);
        WriteText(copy, row.Metrics, NpgsqlDbType.Text);
        WriteText(copy, row.Metadata, NpgsqlDbType.Text);
        copy.Write(row.StartedAt, NpgsqlDbType.TimestampTz);
    }

    public void Add(ProposalRowData row)
    {
        var copy = _proposals!;
        copy.StartRow();
        copy.Write(row.Id, NpgsqlDbType.Uuid);
        copy.Write(row.ExecutionId, NpgsqlDbType.Uuid);
        copy.Write(row.AgentName, NpgsqlDbType.Varchar);
        copy.Write(row.Type, NpgsqlDbType.Text);
        copy.Write(row.Title, NpgsqlDbType.Text);
        WriteText(copy, row.Explanation, NpgsqlDbType.Text);
        copy.Write(row.InputsUsed, NpgsqlDbType.Text);
        WriteText(copy, row.Data, NpgsqlDbType.Text);
        copy.Write(row.Status, NpgsqlDbType.Varchar);
        copy.Write(row.CreatedAt, NpgsqlDbType.TimestampTz);
        WriteNullable(copy, row.ExpiresAt, NpgsqlDbType.TimestampTz);
        WriteNullable(copy, row.DecidedAt, NpgsqlDbType.TimestampTz);
        WriteText(copy, row.DecidedBy, NpgsqlDbType.Text);
    }

    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        await _executions!.CompleteAsync(cancellationToken);
        await _executions.DisposeAsync();
        _executions = null;
        await _proposals!.CompleteAsync(cancellationToken);
        await _proposals.DisposeAsync();
        _proposals = null;
        foreach (var sql in _indexes)
        {
            await ExecuteAsync(sql, cancellationToken);
        }
        await ExecuteAsync("ANALYZE", cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_executions is not null)
        {
            await _executions.DisposeAsync();
        }
        if (_proposals is not null)
        {
            await _proposals.DisposeAsync();
        }
        await _executionsConnection.DisposeAsync();
        await _proposalsConnection.DisposeAsync();
    }

    private static void WriteNullable<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type)
        where T : struct
    {
        if (value is { } v)
        {
            copy.Write(v, type);
        }
        else
        {
            copy.WriteNull();
        }
    }

    private static void WriteText(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            copy.WriteNull();
        }
        else
        {
            copy.Write(value, type);
        }
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, _executionsConnection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
