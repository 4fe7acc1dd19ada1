using Microsoft.Data.Sqlite;
using Npgsql;

namespace AgentLedger.Storage;

/// <summary>Tells an unreachable or busy database, or a full write queue (retry later: 503), from a real fault (a bug: 500).</summary>
public static class DatabaseFailures
{
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = (Exception?)exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case NpgsqlException { IsTransient: true }:
                case SqliteException { SqliteErrorCode: 5 or 6 or 10 or 14 }: // busy, locked, I/O error, cannot open
                case TimeoutException:
                case Writes.WriteQueueFullException:
                case System.Net.Sockets.SocketException:
                    return true;
            }
        }
        return false;
    }
}
