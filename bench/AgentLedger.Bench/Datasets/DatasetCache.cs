using System.Data.Common;
using AgentLedger.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgentLedger.Bench.Datasets;

/// <summary>A ledger database of one engine, as the server's configuration names it.</summary>
public sealed record BenchDatabase(string Provider, string ConnectionString, string Label)
{
    public bool IsSqlite => Provider == "sqlite";

    /// <summary>The storage layer over this database, as the server builds it.</summary>
    public ServiceProvider Storage(string synchronous = "FULL") =>
        new ServiceCollection()
            .AddLedgerStorage(new StorageOptions { Provider = Provider, ConnectionString = ConnectionString, Synchronous = synchronous })
            .BuildServiceProvider();

    public static BenchDatabase Sqlite(string path) => new("sqlite", $"Data Source={path}", "SQLite");
}

/// <summary>Generated ledgers, kept between runs: a database is reused when its recorded spec matches.</summary>
public sealed class DatasetCache(BenchOptions options, TextWriter log)
{
    public async Task<(BenchDatabase Database, DatasetSpec Spec)> SqliteAsync(long executions, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.DataFolder);
        var path = Path.Combine(options.DataFolder, $"ledger-{DatasetSpec.SizeLabel(executions)}-{options.Agents}a-{options.Days}d.db");
        var database = BenchDatabase.Sqlite(path);
        if (File.Exists(path))
        {
            await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync(cancellationToken);
            if (await ReadSpecAsync(connection, cancellationToken) is { } found && found.Matches(executions, options.Agents, options.Days))
            {
                log.WriteLine($"SQLite ledger: reusing {path} ({found.Describe()})");
                return (database, found);
            }
        }
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
        var spec = NewSpec(executions);
        log.WriteLine($"SQLite ledger: generating {path} ({spec.Describe()})");
        await using (var storage = database.Storage("NORMAL"))
        {
            await storage.GetRequiredService<LedgerDatabase>().MigrateAsync(cancellationToken);
            await using (var writer = new SqliteBulkWriter(path))
            {
                await new LedgerGenerator(spec, log).GenerateAsync(writer, storage.GetRequiredService<ILedgerDbContextFactory>(), cancellationToken);
            }
        }
        SqliteConnection.ClearAllPools();
        return (database, spec);
    }

    public async Task<(BenchDatabase Database, DatasetSpec Spec)> PostgresAsync(string server, long executions, CancellationToken cancellationToken)
    {
        var name = $"agentledger_bench_{DatasetSpec.SizeLabel(executions).ToLowerInvariant()}_{options.Agents}a_{options.Days}d";
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        var database = new BenchDatabase("postgres", connectionString, "PostgreSQL");
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString))
        {
            await admin.OpenAsync(cancellationToken);
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", admin);
            exists.Parameters.AddWithValue("name", name);
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
            {
                await using (var connection = new NpgsqlConnection(connectionString))
                {
                    await connection.OpenAsync(cancellationToken);
                    if (await ReadSpecAsync(connection, cancellationToken) is { } found && found.Matches(executions, options.Agents, options.Days))
                    {
                        log.WriteLine($"PostgreSQL ledger: reusing database {name} ({found.Describe()})");
                        return (database, found);
                    }
                }
                NpgsqlConnection.ClearAllPools();
                await using var drop = new NpgsqlCommand($"DROP DATABASE \"{name}\" WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        var spec = NewSpec(executions);
        log.WriteLine($"PostgreSQL ledger: generating database {name} ({spec.Describe()})");
        await using (var storage = database.Storage())
        {
            await storage.GetRequiredService<LedgerDatabase>().MigrateAsync(cancellationToken);
            await using var writer = new PostgresBulkWriter(connectionString);
            await new LedgerGenerator(spec, log).GenerateAsync(writer, storage.GetRequiredService<ILedgerDbContextFactory>(), cancellationToken);
        }
        return (database, spec);
    }

    private DatasetSpec NewSpec(long executions)
    {
        // Whole seconds: the anchor is "now" of the generated history and must round-trip exactly.
        var now = DateTimeOffset.UtcNow;
        return new DatasetSpec(executions, options.Agents, options.Days, new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero));
    }

    private static async Task<DatasetSpec?> ReadSpecAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT value FROM ledger_meta WHERE key = '{DatasetSpec.MetaKey}'";
        try
        {
            return DatasetSpec.FromJson(await command.ExecuteScalarAsync(cancellationToken) as string);
        }
        catch (DbException)
        {
            return null;
        }
    }
}
