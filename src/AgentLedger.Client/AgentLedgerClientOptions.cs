namespace AgentLedger.Client;

/// <summary>How hard <see cref="AgentLedgerClient"/> tries before it gives up on a call.</summary>
public sealed record AgentLedgerClientOptions
{
    /// <summary>Attempts per call, the first included. Retried: 429, 502, 503, 504, network errors and timeouts.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The first back-off; each further one doubles, with jitter, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between attempts, also for a longer <c>Retry-After</c>.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one attempt may take before it counts as a transient failure.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock for reported times and back-off waits.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal AgentLedgerClientOptions Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialDelay, TimeSpan.Zero, nameof(InitialDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, InitialDelay, nameof(MaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AttemptTimeout, TimeSpan.Zero, nameof(AttemptTimeout));
        ArgumentNullException.ThrowIfNull(TimeProvider);
        return this;
    }
}
