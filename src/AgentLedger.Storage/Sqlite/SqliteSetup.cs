using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AgentLedger.Storage.Sqlite;

/// <summary>How every AgentLedger context (the ledger's, the commons') talks to SQLite.</summary>
public static class SqliteSetup
{
    private static readonly string[] SynchronousLevels = ["OFF", "NORMAL", "FULL", "EXTRA"];

    public static DbContextOptionsBuilder UseLedgerSqlite(this DbContextOptionsBuilder builder, StorageOptions options, string? migrationsHistoryTable = null)
    {
        var synchronous = options.Synchronous.ToUpperInvariant();
        if (!SynchronousLevels.Contains(synchronous))
        {
            throw new InvalidOperationException($"AgentLedger:Database:Synchronous must be one of {string.Join(", ", SynchronousLevels)}.");
        }
        EnsureFolder(options.ConnectionString);
        return builder
            .UseSqlite(options.ConnectionString, sqlite =>
            {
                if (migrationsHistoryTable is not null)
                {
                    sqlite.MigrationsHistoryTable(migrationsHistoryTable);
                }
            })
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(new SqlitePragmas(synchronous));
    }

    /// <summary>
    /// SQLite has no timestamp type and EF cannot compare DateTimeOffset text in SQL; integer
    /// microseconds since the epoch sort, compare and index natively.
    /// </summary>
    public static void ApplyConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMicrosecondsConverter>();

    private static void EnsureFolder(string connectionString)
    {
        var path = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (path is { Length: > 0 } && path != ":memory:" && Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }
    }

    public static long ToUnixMicroseconds(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;

    private sealed class UnixMicrosecondsConverter() : ValueConverter<DateTimeOffset, long>(
        value => ToUnixMicroseconds(value),
        value => new DateTimeOffset(DateTimeOffset.UnixEpoch.Ticks + value * TimeSpan.TicksPerMicrosecond, TimeSpan.Zero));
}
