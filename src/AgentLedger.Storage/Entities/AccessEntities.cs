namespace AgentLedger.Storage.Entities;

/// <summary>A row of <c>api_keys</c>: a named key with its role; the secret is kept only as an HMAC.</summary>
public sealed class ApiKeyEntity
{
    public long Seq { get; set; }
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string Role { get; set; }

    /// <summary>JSON array of agent-name patterns (report keys).</summary>
    public required string Agents { get; set; }
    public required string SecretHash { get; set; }
    public string? PreviousSecretHash { get; set; }
    public DateTimeOffset? PreviousValidUntil { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>A row of <c>audit_log</c>: only ever inserted.</summary>
public sealed class AuditEntity
{
    public long Seq { get; set; }
    public DateTimeOffset At { get; set; }
    public string? KeyId { get; set; }
    public string? KeyName { get; set; }
    public string? Role { get; set; }
    public required string Action { get; set; }
    public string? ResourceType { get; set; }
    public string? ResourceId { get; set; }
    public int StatusCode { get; set; }
    public string? RemoteAddress { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
}
