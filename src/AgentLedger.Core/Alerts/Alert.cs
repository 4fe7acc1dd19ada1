using AgentLedger.Core.Common;

namespace AgentLedger.Core.Alerts;

public enum DeliveryStatus
{
    /// <summary>No webhook was configured when the alert was raised: it lives in <c>GET /api/alerts</c> only.</summary>
    None,
    Pending,
    Delivered,
    /// <summary>Every attempt failed, or the receiver refused it for good (a 4xx other than 408/429).</summary>
    Failed,
}

/// <summary>How the webhook of one alert went. <see cref="Target"/> is scheme, host and port only: webhook URLs often carry a secret.</summary>
public sealed record AlertDelivery(
    DeliveryStatus Status,
    string? Target,
    int Attempts,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? DeliveredAt,
    int? LastResponseStatus,
    string? LastError);

/// <summary>An agent's health changed. <see cref="PreviousHealth"/> is null the first time an agent is seen unhealthy.</summary>
public sealed record Alert(
    Guid Id,
    string AgentName,
    string? PreviousHealth,
    string Health,
    string HealthReason,
    DateTimeOffset RaisedAt,
    string Node,
    AlertDelivery Delivery);

/// <summary>An alert whose webhook is due, with the full URL (never shown by the API).</summary>
public sealed record DueDelivery(Alert Alert, string WebhookUrl);

/// <summary>The result of one POST to a webhook.</summary>
public sealed record DeliveryAttempt(DateTimeOffset At, bool Delivered, bool Permanent, int? ResponseStatus, string? Error);

public static class DeliveryStatusWire
{
    public static string ToWire(this DeliveryStatus status) => WireNames<DeliveryStatus>.Of(status);
}
