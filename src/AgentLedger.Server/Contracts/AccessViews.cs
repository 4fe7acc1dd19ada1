using AgentLedger.Core.Access;

namespace AgentLedger.Server.Contracts;

/// <summary><c>POST /api/keys</c>.</summary>
public sealed record CreateKeyRequest(string? Name, string? Role, IReadOnlyList<string?>? Agents = null, DateTimeOffset? ExpiresAt = null);

/// <summary><c>POST /api/keys/{id}/rotate</c>: how long the previous secret keeps working.</summary>
public sealed record RotateKeyRequest(int? GraceSeconds = null);

/// <summary>A key as listed: never its secret or hash.</summary>
public sealed record KeyView(
    string Id, string Name, string Role, IReadOnlyList<string> Agents, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    public static KeyView From(ApiKey k) => new(k.Id, k.Name, k.Role.ToWire(), k.Agents, k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.RevokedAt);
}

public sealed record WhoAmI(string Id, string Name, string Role, IReadOnlyList<string> Agents);
