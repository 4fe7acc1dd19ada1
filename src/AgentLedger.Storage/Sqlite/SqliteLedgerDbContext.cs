using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AgentLedger.Storage.Sqlite;

public sealed class SqliteLedgerDbContext(DbContextOptions<SqliteLedgerDbContext> options) : LedgerDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no timestamp type and EF cannot compare DateTimeOffset text in SQL; integer
        // microseconds since the epoch sort, compare and index natively.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMicrosecondsConverter>();
    }

    private sealed class UnixMicrosecondsConverter() : ValueConverter<DateTimeOffset, long>(
        value => (value.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond,
        value => new DateTimeOffset(DateTimeOffset.UnixEpoch.Ticks + value * TimeSpan.TicksPerMicrosecond, TimeSpan.Zero));
}

/// <summary>Used by <c>dotnet ef migrations add … --context SqliteLedgerDbContext</c>.</summary>
public sealed class SqliteLedgerDbContextDesignFactory : IDesignTimeDbContextFactory<SqliteLedgerDbContext>
{
    public SqliteLedgerDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteLedgerDbContext>()
            .UseSqlite("Data Source=design-time.db")
            .UseSnakeCaseNamingConvention()
            .Options);
}
