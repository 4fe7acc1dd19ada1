using System.Text.RegularExpressions;
using AgentLedger.Core.Access;
using AgentLedger.Core.Common;

namespace AgentLedger.Server.Auth;

/// <summary>A key as created or rotated: the one answer that carries the key itself.</summary>
public sealed record IssuedKey(string Id, string Name, string Role, IReadOnlyList<string> Agents, string Key, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>Creating, rotating and revoking named keys, for the HTTP API and the CLI alike.</summary>
public sealed partial class KeyIssuer(IKeyStore keys, KeyHasher hasher, TimeProvider time)
{
    public const int MaxGraceSeconds = 30 * 24 * 3600;
    public const string NameRule = "must be 1 to 64 characters: lower-case letters, digits, '.', '_', '-', starting with a letter or digit";

    /// <summary>Checks every field at once; throws <see cref="ValidationException"/> naming each mistake.</summary>
    public async Task<IssuedKey> CreateAsync(string? name, string? role, IReadOnlyList<string?>? agents, DateTimeOffset? expiresAt, Actor actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
        {
            errors["name"] = [string.IsNullOrEmpty(name) ? "is required" : NameRule];
        }
        if (!KeyRoles.TryParse(role, out var parsedRole))
        {
            errors["role"] = [$"{(role is null ? "is required" : $"'{role}' is not a role")}; one of: read, review, admin, report"];
        }
        var patterns = new List<string>();
        for (var i = 0; i < (agents?.Count ?? 0); i++)
        {
            if (agents![i] is { } pattern && AgentPatterns.IsValid(pattern))
            {
                patterns.Add(pattern);
            }
            else
            {
                errors[$"agents[{i}]"] = [AgentPatterns.Rule];
            }
        }
        if (!errors.ContainsKey("role"))
        {
            if (parsedRole == KeyRole.Report && (agents is null || agents.Count == 0))
            {
                errors["agents"] = ["a report key needs at least one agent name pattern, e.g. [\"field-*\"]"];
            }
            else if (parsedRole != KeyRole.Report && agents is { Count: > 0 })
            {
                errors["agents"] = ["only report keys are scoped to agents; leave it out for this role"];
            }
        }
        if (expiresAt is { } expiry && expiry <= now)
        {
            errors["expires_at"] = ["must be in the future"];
        }
        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }
        var id = KeyFormat.NewId();
        var secret = KeyFormat.NewSecret();
        var key = new ApiKey(id, name!, parsedRole, patterns, now, expiresAt, null, null);
        var stored = await keys.CreateAsync(key, hasher.Hash(secret), AuditEntry.For(actor, now, AuditActions.KeyCreate, "key", $"{id} {name}", 201), cancellationToken);
        return Issued(stored, secret);
    }

    public async Task<IssuedKey> RotateAsync(string id, int? graceSeconds, Actor actor, CancellationToken cancellationToken)
    {
        if (graceSeconds is < 0 or > MaxGraceSeconds)
        {
            throw ValidationException.For("grace_seconds", $"must be between 0 and {MaxGraceSeconds}");
        }
        var now = time.GetUtcNow();
        var secret = KeyFormat.NewSecret();
        var rotated = await keys.RotateAsync(id, hasher.Hash(secret), now.AddSeconds(graceSeconds ?? 0), AuditEntry.For(actor, now, AuditActions.KeyRotate, "key", id, 200), cancellationToken);
        return Issued(rotated, secret);
    }

    public Task<ApiKey> RevokeAsync(string id, Actor actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return keys.RevokeAsync(id, now, AuditEntry.For(actor, now, AuditActions.KeyRevoke, "key", id, 204), cancellationToken);
    }

    private static IssuedKey Issued(ApiKey key, string secret) =>
        new(key.Id, key.Name, key.Role.ToWire(), key.Agents, KeyFormat.Compose(key.Id, secret), key.CreatedAt, key.ExpiresAt);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();
}
