namespace AgentLedger.Storage.Entities;

/// <summary>An agent's health as last recorded; <see cref="Health"/> is the concurrency token that makes a change alert once.</summary>
public sealed class AgentHealthEntity
{
    public required string AgentName { get; set; }
    public required string Health { get; set; }
    public required string HealthReason { get; set; }
    public DateTimeOffset Since { get; set; }
}

/// <summary>A row of <c>alerts</c>: a health change and the state of its webhook delivery.</summary>
public sealed class AlertEntity
{
    public long Seq { get; set; }
    public Guid Id { get; set; }
    public required string AgentName { get; set; }
    public string? PreviousHealth { get; set; }
    public required string Health { get; set; }
    public required string HealthReason { get; set; }
    public DateTimeOffset RaisedAt { get; set; }
    public required string Node { get; set; }
    public required string DeliveryStatus { get; set; }
    public string? WebhookUrl { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public int? LastResponseStatus { get; set; }
    public string? LastError { get; set; }
}

/// <summary>A named lease: which node does a cluster-wide chore (judging health, sending webhooks) until when.</summary>
public sealed class LeaseEntity
{
    public required string Name { get; set; }
    public required string Holder { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}
