namespace AgentLedger.Core.Common;

/// <summary>
/// Every timestamp the ledger stores is UTC with microsecond precision, the finest that both
/// SQLite (stored as integer microseconds) and PostgreSQL (timestamptz) keep; normalising at the
/// boundary means a value reads back exactly as it was written on either engine.
/// </summary>
public static class LedgerTime
{
    public static DateTimeOffset Normalize(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);
    }

    public static DateTimeOffset? Normalize(DateTimeOffset? value) => value is { } v ? Normalize(v) : null;

    public static DateTimeOffset FloorHour(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerHour, TimeSpan.Zero);
    }

    public static DateTimeOffset FloorDay(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerDay, TimeSpan.Zero);
    }
}
