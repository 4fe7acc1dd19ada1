using System.Text.Json;
using System.Text.RegularExpressions;
using AgentLedger.Core.Common;

namespace AgentLedger.Core.Access;

/// <summary>
/// What a key may do. <see cref="Read"/> &lt; <see cref="Review"/> &lt; <see cref="Admin"/>;
/// <see cref="Report"/> reads and reports runs of its own agents, nothing else.
/// </summary>
public enum KeyRole
{
    Read,
    Review,
    Admin,
    Report,
}

public static class KeyRoles
{
    public static string ToWire(this KeyRole role) => WireNames<KeyRole>.Of(role);

    public static bool TryParse(string? text, out KeyRole role) => WireNames<KeyRole>.TryParse(text, out role);

    public static IReadOnlyCollection<string> All => WireNames<KeyRole>.All;
}

/// <summary>A named key as stored, without its secret.</summary>
public sealed record ApiKey(
    string Id,
    string Name,
    KeyRole Role,
    IReadOnlyList<string> Agents,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt);

/// <summary>A key's row with the hashes its secret is checked against: the current one and, during a rotation's grace, the previous one.</summary>
public sealed record StoredKey(ApiKey Key, string SecretHash, string? PreviousSecretHash, DateTimeOffset? PreviousValidUntil);

/// <summary>Who made a call, for attribution and the audit log: never the secret.</summary>
public sealed record Actor(string KeyId, string KeyName, KeyRole Role, string? RemoteAddress);

/// <summary>One row of the append-only audit log.</summary>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset At,
    string? KeyId,
    string? KeyName,
    string? Role,
    string Action,
    string? ResourceType,
    string? ResourceId,
    int StatusCode,
    string? RemoteAddress,
    JsonElement? Before = null,
    JsonElement? After = null)
{
    public static AuditEntry For(Actor? actor, DateTimeOffset at, string action, string resourceType, string? resourceId, int statusCode, JsonElement? before = null, JsonElement? after = null) =>
        new(0, at, actor?.KeyId, actor?.KeyName, actor?.Role.ToWire(), action, resourceType, resourceId, statusCode, actor?.RemoteAddress, before, after);
}

public static class AuditActions
{
    public const string SettingsUpdate = "settings.update";
    public const string SettingsReset = "settings.reset";
    public const string AgentRun = "agent.run";
    public const string ProposalApprove = "proposal.approve";
    public const string ProposalReject = "proposal.reject";
    public const string KeyCreate = "key.create";
    public const string KeyRevoke = "key.revoke";
    public const string KeyRotate = "key.rotate";
    public const string AuthDenied = "auth.denied";

    public static readonly IReadOnlyList<string> All = [SettingsUpdate, SettingsReset, AgentRun, ProposalApprove, ProposalReject, KeyCreate, KeyRevoke, KeyRotate, AuthDenied];
}

public sealed record AuditFilter(string? Action, string? Key, DateTimeOffset? From, DateTimeOffset? To, int Limit, string? Cursor);

public interface IAuditLog
{
    /// <summary>Appends a row on its own (refused authentication); changes write theirs in their own transaction.</summary>
    Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>Newest first; <see cref="AuditFilter.Key"/> matches a key's id or name.</summary>
    Task<Page<AuditEntry>> ListAsync(AuditFilter filter, CancellationToken cancellationToken);
}

public interface IKeyStore
{
    /// <summary>Stores a new key and its audit row in one transaction; a taken name is a <see cref="ConflictException"/>.</summary>
    Task<ApiKey> CreateAsync(ApiKey key, string secretHash, AuditEntry audit, CancellationToken cancellationToken);

    Task<StoredKey?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every key, newest first, revoked ones included.</summary>
    Task<Page<ApiKey>> ListAsync(int limit, string? cursor, CancellationToken cancellationToken);

    /// <summary>Revokes a key (a second revoke changes nothing and writes no audit row); <see cref="NotFoundException"/> for an unknown id.</summary>
    Task<ApiKey> RevokeAsync(string id, DateTimeOffset now, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>Replaces the secret; the previous one keeps working until <paramref name="previousValidUntil"/>.</summary>
    Task<ApiKey> RotateAsync(string id, string secretHash, DateTimeOffset previousValidUntil, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>Records a use, unless one was recorded less than a minute before <paramref name="now"/> (by any node).</summary>
    Task TouchAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>Agent-name patterns of a <see cref="KeyRole.Report"/> key: <c>*</c> matches any run of characters.</summary>
public static partial class AgentPatterns
{
    public const string Rule = "must be an agent name pattern: lower-case letters, digits, '.', '_', '-' and '*' (any run of characters), at most 128 characters";

    public static bool IsValid(string pattern) => PatternSyntax().IsMatch(pattern);

    public static bool Matches(IEnumerable<string> patterns, string agentName) => patterns.Any(p => Matches(p, agentName));

    public static bool Matches(string pattern, string agentName)
    {
        var parts = pattern.Split('*');
        if (parts.Length == 1)
        {
            return string.Equals(pattern, agentName, StringComparison.Ordinal);
        }
        if (!agentName.StartsWith(parts[0], StringComparison.Ordinal) || !agentName.EndsWith(parts[^1], StringComparison.Ordinal)
            || agentName.Length < parts[0].Length + parts[^1].Length)
        {
            return false;
        }
        var position = parts[0].Length;
        var end = agentName.Length - parts[^1].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = agentName.IndexOf(parts[i], position, end - position, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }
            position = found + parts[i].Length;
        }
        return true;
    }

    [GeneratedRegex("^[a-z0-9.*_-]{1,128}$")]
    private static partial Regex PatternSyntax();
}

/// <summary>Thrown when the caller's key may not do this to this object (403).</summary>
public sealed class ForbiddenException(string message) : LedgerException(message);
