using Microsoft.Data.Sqlite;

namespace AgentLedger.Tests.Infrastructure;

/// <summary>A SQLite file in its own temp folder, deleted with the test.</summary>
public sealed class TestDatabase : IDisposable
{
    public TestDatabase()
    {
        Folder = Path.Combine(Path.GetTempPath(), "agentledger-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        FilePath = Path.Combine(Folder, "ledger.db");
    }

    public string Folder { get; }

    public string FilePath { get; }

    public string ConnectionString => $"Data Source={FilePath}";

    /// <summary>Counts every table's rows straight from the file, bypassing the application.</summary>
    public IReadOnlyDictionary<string, long> RowCounts()
    {
        using var connection = new SqliteConnection($"Data Source={FilePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var counts = new Dictionary<string, long>();
        foreach (var table in new[] { "agent_executions", "proposals", "agents", "agent_settings", "agent_settings_history", "agent_rollups" })
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {table}";
            counts[table] = (long)command.ExecuteScalar()!;
        }
        return counts;
    }

    public long Scalar(string sql) => Convert.ToInt64(Query(sql));

    public object? Query(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={FilePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A server process killed by a test may still hold the file for a moment.
        }
    }
}
