using System.Text.Json;
using AgentLedger.Bench.Datasets;
using AgentLedger.Core.Common;
using AgentLedger.Core.Stats;
using Microsoft.Data.Sqlite;

namespace AgentLedger.Bench.Scenarios;

/// <summary>
/// The raw limit of recording on a SQLite file: what the ledger does per execution, with
/// Microsoft.Data.Sqlite and prepared statements and no framework. One transaction inserts the
/// <c>running</c> row (committed before the work, as the runner does); a second updates it to
/// success and adds the run to its hour, day and all-time rollups (read the bucket, merge the
/// histogram and metric sums, upsert), with the same durability settings as the server.
/// <see cref="RecordFinished"/> is the one-transaction limit of a run reported finished: the row inserted
/// final and its rollups, one commit.
/// </summary>
public sealed class RawRecorder : IDisposable
{
    private static readonly string[] Periods = ["hour", "day", "all"];

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _insertFinished;
    private readonly SqliteCommand _update;
    private readonly SqliteCommand _readBucket;
    private readonly SqliteCommand _upsert;

    public RawRecorder(string path, string synchronous)
    {
        _connection = new SqliteConnection($"Data Source={path};Pooling=False");
        _connection.Open();
        using (var pragmas = _connection.CreateCommand())
        {
            pragmas.CommandText = $"PRAGMA journal_mode=WAL; PRAGMA synchronous={synchronous}; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;";
            pragmas.ExecuteNonQuery();
        }
        _begin = Command("BEGIN IMMEDIATE");
        _commit = Command("COMMIT");
        _insert = Command("""
            INSERT INTO agent_executions (id, agent_name, trigger, node, started_at, status, proposals_created, resources_processed, heartbeat_at)
            VALUES ($id, $agent, 'manual', 'bench-raw', $started, 'running', 0, 0, $started) RETURNING seq
            """, "$id", "$agent", "$started");
        _insertFinished = Command("""
            INSERT INTO agent_executions (id, agent_name, trigger, started_at, completed_at, duration_ms, status, proposals_created, resources_processed, metrics, metadata)
            VALUES ($id, $agent, 'external', $started, $completed, $duration, 'success', 0, $resources, $metrics, '{"version":"1.4.0"}')
            """, "$id", "$agent", "$started", "$completed", "$duration", "$resources", "$metrics");
        _update = Command("""
            UPDATE agent_executions SET status = 'success', completed_at = $completed, duration_ms = $duration, proposals_created = 0,
                resources_processed = $resources, metrics = $metrics
            WHERE seq = $seq AND status = 'running'
            """, "$completed", "$duration", "$resources", "$metrics", "$seq");
        _readBucket = Command(
            "SELECT duration_histogram, metric_sums FROM agent_rollups WHERE period = $period AND bucket_start = $bucket AND agent_name = $agent",
            "$period", "$bucket", "$agent");
        _upsert = Command("""
            INSERT INTO agent_rollups (agent_name, period, bucket_start, success_count, failed_count, timeout_count, cancelled_count, abandoned_count,
                proposals_created, resources_processed, duration_count, duration_sum_ms, duration_max_ms, duration_histogram, metric_sums,
                proposals_recorded, proposals_approved, proposals_rejected, proposals_expired)
            VALUES ($agent, $period, $bucket, 1, 0, 0, 0, 0, 0, $resources, 1, $duration, $duration, $histogram, $metrics, 0, 0, 0, 0)
            ON CONFLICT (period, bucket_start, agent_name) DO UPDATE SET
                success_count = success_count + 1, resources_processed = resources_processed + excluded.resources_processed,
                duration_count = duration_count + 1, duration_sum_ms = duration_sum_ms + excluded.duration_sum_ms,
                duration_max_ms = max(duration_max_ms, excluded.duration_max_ms), duration_histogram = excluded.duration_histogram,
                metric_sums = excluded.metric_sums
            """, "$agent", "$period", "$bucket", "$resources", "$duration", "$histogram", "$metrics");
    }

    /// <summary>Records one successful run of <paramref name="agent"/>, as two durable commits.</summary>
    public void Record(string agent, long durationMs, long resources, IReadOnlyDictionary<string, double> metrics)
    {
        var startedAt = LedgerTime.Normalize(DateTimeOffset.UtcNow);
        _begin.ExecuteNonQuery();
        _insert.Parameters[0].Value = SqliteBulkWriter.Id(Guid.CreateVersion7());
        _insert.Parameters[1].Value = agent;
        _insert.Parameters[2].Value = SqliteBulkWriter.Micros(startedAt);
        var seq = (long)_insert.ExecuteScalar()!;
        _commit.ExecuteNonQuery();

        var metricsJson = JsonSerializer.Serialize(metrics);
        _begin.ExecuteNonQuery();
        _update.Parameters[0].Value = SqliteBulkWriter.Micros(startedAt + TimeSpan.FromMilliseconds(durationMs));
        _update.Parameters[1].Value = durationMs;
        _update.Parameters[2].Value = resources;
        _update.Parameters[3].Value = metricsJson;
        _update.Parameters[4].Value = seq;
        _update.ExecuteNonQuery();
        AddToRollups(agent, startedAt, durationMs, resources, metrics);
        _commit.ExecuteNonQuery();
    }

    /// <summary>Records one successful run reported finished: the final row and its rollups, one durable commit.</summary>
    public void RecordFinished(string agent, long durationMs, long resources, IReadOnlyDictionary<string, double> metrics)
    {
        var completedAt = LedgerTime.Normalize(DateTimeOffset.UtcNow);
        var startedAt = completedAt - TimeSpan.FromMilliseconds(durationMs);
        var metricsJson = JsonSerializer.Serialize(metrics);
        _begin.ExecuteNonQuery();
        _insertFinished.Parameters[0].Value = SqliteBulkWriter.Id(Guid.CreateVersion7());
        _insertFinished.Parameters[1].Value = agent;
        _insertFinished.Parameters[2].Value = SqliteBulkWriter.Micros(startedAt);
        _insertFinished.Parameters[3].Value = SqliteBulkWriter.Micros(completedAt);
        _insertFinished.Parameters[4].Value = durationMs;
        _insertFinished.Parameters[5].Value = resources;
        _insertFinished.Parameters[6].Value = metricsJson;
        _insertFinished.ExecuteNonQuery();
        AddToRollups(agent, startedAt, durationMs, resources, metrics);
        _commit.ExecuteNonQuery();
    }

    private void AddToRollups(string agent, DateTimeOffset startedAt, long durationMs, long resources, IReadOnlyDictionary<string, double> metrics)
    {
        foreach (var period in Periods)
        {
            var bucket = period switch
            {
                "hour" => LedgerTime.FloorHour(startedAt),
                "day" => LedgerTime.FloorDay(startedAt),
                _ => DateTimeOffset.UnixEpoch,
            };
            _readBucket.Parameters[0].Value = period;
            _readBucket.Parameters[1].Value = SqliteBulkWriter.Micros(bucket);
            _readBucket.Parameters[2].Value = agent;
            var histogram = new DurationHistogram();
            var sums = new Dictionary<string, double>(metrics);
            using (var reader = _readBucket.ExecuteReader())
            {
                if (reader.Read())
                {
                    histogram = DurationHistogram.FromBytes((byte[])reader.GetValue(0));
                    if (!reader.IsDBNull(1))
                    {
                        foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, double>>(reader.GetString(1)) ?? [])
                        {
                            sums[name] = sums.GetValueOrDefault(name) + value;
                        }
                    }
                }
            }
            histogram.Add(durationMs);
            _upsert.Parameters[0].Value = agent;
            _upsert.Parameters[1].Value = period;
            _upsert.Parameters[2].Value = SqliteBulkWriter.Micros(bucket);
            _upsert.Parameters[3].Value = resources;
            _upsert.Parameters[4].Value = durationMs;
            _upsert.Parameters[5].Value = histogram.ToBytes();
            _upsert.Parameters[6].Value = JsonSerializer.Serialize(sums);
            _upsert.ExecuteNonQuery();
        }
    }

    public void Dispose()
    {
        foreach (var command in new[] { _begin, _commit, _insert, _insertFinished, _update, _readBucket, _upsert })
        {
            command.Dispose();
        }
        _connection.Dispose();
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        return command;
    }
}
