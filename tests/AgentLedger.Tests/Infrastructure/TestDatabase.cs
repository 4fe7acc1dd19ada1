using System.Data.Common;
using AgentLedger.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AgentLedger.Tests.Infrastructure;

/// <summary>
/// A fresh, real database for one test: a SQLite file in its own temp folder, or — when
/// AGENTLEDGER_TEST_PROVIDER=postgres — a new database on the PostgreSQL server named by
/// AGENTLEDGER_TEST_POSTGRES (e.g. "Host=127.0.0.1;Port=55432;Username=postgres"). Dropped with the test.
/// </summary>
public sealed class TestDatabase : IDisposable
{
    public static readonly string Provider = Environment.GetEnvironmentVariable("AGENTLEDGER_TEST_PROVIDER") ?? "sqlite";
    private static readonly string? PostgresServer = Environment.GetEnvironmentVariable("AGENTLEDGER_TEST_POSTGRES");
    private readonly string? _postgresDatabase;

    public TestDatabase()
    {
        Folder = Path.Combine(Path.GetTempPath(), "agentledger-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        FilePath = Path.Combine(Folder, "ledger.db");
        if (IsPostgres)
        {
            _postgresDatabase = "t_" + Guid.NewGuid().ToString("N");
            ExecuteOnServer($"CREATE DATABASE {_postgresDatabase}");
            ConnectionString = new NpgsqlConnectionStringBuilder(PostgresServer) { Database = _postgresDatabase }.ConnectionString;
        }
        else
        {
            ConnectionString = $"Data Source={FilePath}";
        }
    }

    public static bool IsPostgres => Provider == "postgres";

    /// <summary>Holds the generated API key file (and the SQLite file).</summary>
    public string Folder { get; }

    public string FilePath { get; }

    public string ConnectionString { get; }

    /// <summary>Arguments that point the server binary's admin verbs at this database.</summary>
    public string[] CliArgs() =>
    [
        $"--AgentLedger:Database:Provider={Provider}",
        $"--AgentLedger:Database:ConnectionString={ConnectionString}",
        $"--AgentLedger:DataFolder={Folder}",
        "--AgentLedger:ApiKey=cli",
        "--environment=Testing",
    ];

    /// <summary>How many migrations the ledger's context of this engine has (its history table holds exactly these).</summary>
    public static int LedgerMigrations { get; } = CountLedgerMigrations();

    public static readonly string[] LedgerTables = ["agent_executions", "proposals", "agents", "agent_settings", "agent_settings_history", "agent_rollups"];

    /// <summary>Counts every table's rows straight from the database, bypassing the application.</summary>
    public IReadOnlyDictionary<string, long> RowCounts(IEnumerable<string>? tables = null) =>
        (tables ?? LedgerTables).ToDictionary(table => table, table => Scalar($"SELECT COUNT(*) FROM {table}"));

    public long Scalar(string sql) => Convert.ToInt64(Query(sql));

    /// <summary>A uuid as a SQL literal of this engine's column: PostgreSQL's uuid text, SQLite's 16 bytes (RFC 9562 order).</summary>
    public static string UuidLiteral(Guid id) => IsPostgres ? $"'{id}'" : $"X'{Convert.ToHexString(SqliteLedgerDbContext.UuidBytesConverter.ToBytes(id))}'";

    /// <summary>A uuid as read straight from this engine's column (PostgreSQL: a Guid; SQLite: its 16 bytes).</summary>
    public static Guid ReadUuid(object value) => value as Guid? ?? SqliteLedgerDbContext.UuidBytesConverter.FromBytes((byte[])value);

    public object? Query(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>Changes the database behind the application's back (to prove that checks notice).</summary>
    public int Execute(string sql)
    {
        using var connection = Open(readOnly: false);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    public DbConnection Open(bool readOnly = true)
    {
        DbConnection connection = IsPostgres
            ? new NpgsqlConnection(ConnectionString)
            : new SqliteConnection($"Data Source={FilePath};Mode={(readOnly ? "ReadOnly" : "ReadWrite")};Pooling=False");
        connection.Open();
        return connection;
    }

    public void Dispose()
    {
        if (_postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            ExecuteOnServer($"DROP DATABASE IF EXISTS {_postgresDatabase} WITH (FORCE)");
        }
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

    private static void ExecuteOnServer(string sql)
    {
        var server = PostgresServer ?? throw new InvalidOperationException("AGENTLEDGER_TEST_POSTGRES must name the PostgreSQL server for provider 'postgres'.");
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static int CountLedgerMigrations()
    {
        using var design = IsPostgres
            ? (Microsoft.EntityFrameworkCore.DbContext)new AgentLedger.Storage.Postgres.PostgresLedgerDbContextDesignFactory().CreateDbContext([])
            : new AgentLedger.Storage.Sqlite.SqliteLedgerDbContextDesignFactory().CreateDbContext([]);
        return Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetMigrations(design.Database).Count();
    }
}
