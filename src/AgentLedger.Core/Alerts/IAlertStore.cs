using AgentLedger.Core.Common;
using AgentLedger.Core.Insights;

namespace AgentLedger.Core.Alerts;

/// <summary>Health as last recorded per agent, the alerts raised on its changes, and their webhook deliveries.</summary>
public interface IAlertStore
{
    /// <summary>The health last recorded for each agent; an agent never judged is absent.</summary>
    Task<IReadOnlyDictionary<string, string>> HealthStatesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records <paramref name="verdict"/> as the agent's health if it still is <paramref name="expected"/>
    /// (null: none recorded) and, when <paramref name="raise"/>, an alert in the same transaction, to be
    /// sent to <paramref name="webhookUrl"/> if there is one. Returns the alert raised; null when none was
    /// asked for, or another writer changed the state first (so a change alerts once however many nodes see it).
    /// </summary>
    Task<Alert?> TransitionAsync(string agentName, string? expected, HealthVerdict verdict, bool raise, string? webhookUrl, string node, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Newest first, optionally for one agent, with a keyset cursor.</summary>
    Task<Page<Alert>> ListAsync(string? agentName, int limit, string? cursor, CancellationToken cancellationToken);

    /// <summary>Pending deliveries whose next attempt is due, oldest first.</summary>
    Task<IReadOnlyList<DueDelivery>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Records one attempt; <paramref name="nextAttemptAt"/> null with a failed attempt means no more tries.</summary>
    Task RecordAttemptAsync(Guid alertId, DeliveryAttempt attempt, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>
    /// Takes or renews a named lease until <paramref name="until"/> unless another holder's lease is
    /// still running. One node at a time judges health and sends webhooks.
    /// </summary>
    Task<bool> TryHoldLeaseAsync(string lease, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken);
}
