using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace AgentLedger.Storage.Sqlite;

/// <summary>
/// An exclusive lock on a file beside the database (<c>…-startup.lock</c>): .NET takes
/// <c>FileShare.None</c> as an advisory <c>flock</c> on Unix, which the kernel drops when the
/// holder dies, so a crashed process never leaves the lock behind. A transaction cannot serve:
/// the migrations run on connections of their own and would wait for it.
/// </summary>
public sealed partial class SqliteSchemaLock(StorageOptions options, ILogger<SqliteSchemaLock> logger) : ISchemaLock
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public async Task<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        var path = new SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
        if (path is not { Length: > 0 } || path == ":memory:" || options.ConnectionString.Contains("Mode=Memory", StringComparison.OrdinalIgnoreCase))
        {
            return NotShared.Instance;   // an in-memory database is never shared between processes
        }
        var lockPath = Path.GetFullPath(path) + "-startup.lock";
        var waiting = false;
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (!cancellationToken.IsCancellationRequested)
            {
                if (!waiting)
                {
                    LogWaiting(logger, lockPath);
                    waiting = true;
                }
                // Real time, not the ledger's clock: this waits for another process, not for an event in the ledger.
                await Task.Delay(Poll, cancellationToken);
            }
        }
    }

    private sealed class NotShared : IAsyncDisposable
    {
        public static readonly NotShared Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Another process is preparing the database (migrations, first-start data); waiting for {LockFile}")]
    private static partial void LogWaiting(ILogger logger, string lockFile);
}
