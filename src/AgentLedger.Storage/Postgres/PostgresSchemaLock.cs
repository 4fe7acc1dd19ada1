using Microsoft.Extensions.Logging;
using Npgsql;

namespace AgentLedger.Storage.Postgres;

/// <summary>
/// A session-level advisory lock on a connection of its own. EF Core's migration lock covers one
/// context's history table only, and not the gap before that table exists: two nodes then both
/// create the first tables (42P07). Advisory locks are per database, so databases on one server
/// do not wait for each other.
/// </summary>
public sealed partial class PostgresSchemaLock(StorageOptions options, ILogger<PostgresSchemaLock> logger) : ISchemaLock
{
    /// <summary>Any constant works; this one spells "agentled" in ASCII so it is recognisable in pg_locks.</summary>
    private const long LockKey = 0x6167656E746C6564;

    public async Task<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        // Unpooled: a session lock must end with this connection, never linger in a pool.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(options.ConnectionString) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (!await ExecuteAsync(connection, "SELECT pg_try_advisory_lock(@key)", cancellationToken))
            {
                LogWaiting(logger);
                await ExecuteAsync(connection, "SELECT pg_advisory_lock(@key) IS NOT NULL", cancellationToken);
            }
            return new Held(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<bool> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("key", LockKey);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private sealed class Held(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await ExecuteAsync(connection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None);
            }
            finally
            {
                // Closing the session releases the lock even if the unlock above failed.
                await connection.DisposeAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Another node is preparing the database (migrations, first-start data); waiting for it")]
    private static partial void LogWaiting(ILogger logger);
}
