using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Threading.RateLimiting;
using AgentLedger.Core.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace AgentLedger.Server.Auth;

/// <summary>The least an endpoint asks of its caller, declared on every endpoint (a test walks them all).</summary>
public enum AccessLevel
{
    /// <summary>No key, ever: liveness, the API description.</summary>
    Open,

    /// <summary>Any key; without one only on a loopback-only listener or with <c>AgentLedger:Auth:PublicReads</c>.</summary>
    Read,

    /// <summary>Any valid key, whatever its role.</summary>
    AnyKey,

    /// <summary>A <c>report</c> key (for its agents, checked by the handler) or an admin.</summary>
    Report,

    Review,
    Admin,
}

/// <summary>Endpoint metadata naming the endpoint's <see cref="AccessLevel"/>.</summary>
public sealed record RequiredAccess(AccessLevel Level)
{
    public string Describe() => Level switch
    {
        AccessLevel.Report => "a 'report' key for this agent, or an 'admin' key",
        AccessLevel.Review => "a 'review' or 'admin' key",
        AccessLevel.Admin => "an 'admin' key",
        _ => "a valid key",
    };

    public string Policy => $"access:{Level}";
}

/// <summary>Bound from <c>AgentLedger:Auth</c>.</summary>
public sealed class AuthOptions
{
    /// <summary>Reads need no key on any address (by default only on a loopback-only listener).</summary>
    public bool PublicReads { get; set; }

    /// <summary>Refused keys one client address may present per minute before it is answered 429.</summary>
    public int FailuresPerMinute { get; set; } = 30;

    /// <summary>The HMAC pepper of key secrets; when empty it is generated into the data folder. Nodes on separate machines set the same one.</summary>
    public string? Pepper { get; set; }
}

public static class AccessPolicies
{
    public static IServiceCollection AddAccessPolicies(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorizationHandler, ReadHandler>();
        services.AddSingleton<ReadAccess>();
        services.AddAuthorizationBuilder()
            .AddPolicy(new RequiredAccess(AccessLevel.Read).Policy, p => p.AddRequirements(new ReadRequirement()))
            .AddPolicy(new RequiredAccess(AccessLevel.AnyKey).Policy, p => p.RequireAuthenticatedUser())
            .AddPolicy(new RequiredAccess(AccessLevel.Report).Policy, p => p.RequireRole(KeyRole.Report.ToWire(), KeyRole.Admin.ToWire()))
            .AddPolicy(new RequiredAccess(AccessLevel.Review).Policy, p => p.RequireRole(KeyRole.Review.ToWire(), KeyRole.Admin.ToWire()))
            .AddPolicy(new RequiredAccess(AccessLevel.Admin).Policy, p => p.RequireRole(KeyRole.Admin.ToWire()));
        return services;
    }

    /// <summary>Declares the endpoint's minimum access and documents the answers it brings (401, 403, 429).</summary>
    public static TBuilder Access<TBuilder>(this TBuilder builder, AccessLevel level)
        where TBuilder : IEndpointConventionBuilder
    {
        var access = new RequiredAccess(level);
        builder.WithMetadata(access);
        if (level == AccessLevel.Open)
        {
            return builder.AllowAnonymous();
        }
        builder.RequireAuthorization(access.Policy);
        Apis.OpenApiSetup.Problems(builder, StatusCodes.Status401Unauthorized, StatusCodes.Status429TooManyRequests);
        if (level is AccessLevel.Report or AccessLevel.Review or AccessLevel.Admin)
        {
            Apis.OpenApiSetup.Problems(builder, StatusCodes.Status403Forbidden);
        }
        return builder;
    }

    /// <summary>The caller's key, or null for an anonymous read.</summary>
    public static Actor? Actor(this HttpContext http)
    {
        var user = http.User;
        if (user.FindFirstValue(ApiKeyAuthenticationHandler.KeyIdClaim) is not { } id || !KeyRoles.TryParse(user.FindFirstValue(ClaimTypes.Role), out var role))
        {
            return null;
        }
        return new Actor(id, user.FindFirstValue(ClaimTypes.Name) ?? id, role, http.Connection.RemoteIpAddress?.ToString());
    }

    /// <summary>
    /// The per-object check: a report key acts only for agents matching its patterns. Called by every
    /// handler that writes for an agent, before anything is written, so a key cannot reach another
    /// agent's runs by naming them (the check at login knows nothing of the object).
    /// </summary>
    public static void RequireAgent(this HttpContext http, string agentName)
    {
        if (AgentRefusal(http.User, agentName) is { } refusal)
        {
            throw new ForbiddenException(refusal);
        }
    }

    /// <summary>Null when <paramref name="user"/> may write for <paramref name="agentName"/>; else why not.</summary>
    public static string? AgentRefusal(ClaimsPrincipal user, string agentName)
    {
        if (!user.IsInRole(KeyRole.Report.ToWire()) || user.IsInRole(KeyRole.Admin.ToWire()))
        {
            return null;
        }
        var patterns = user.FindAll(ApiKeyAuthenticationHandler.AgentClaim).Select(c => c.Value).ToList();
        return AgentPatterns.Matches(patterns, agentName)
            ? null
            : $"This report key may report only for agents matching {string.Join(", ", patterns.Select(p => $"'{p}'"))}, not '{agentName}'; nothing was recorded.";
    }
}

internal sealed class ReadRequirement : IAuthorizationRequirement;

/// <summary>Whether reads are open: configured, or every address the server listens on is loopback.</summary>
internal sealed class ReadAccess(IServer server, Microsoft.Extensions.Options.IOptions<AuthOptions> options)
{
    private bool? _loopbackOnly;

    public bool Open => options.Value.PublicReads || LoopbackOnly();

    private bool LoopbackOnly()
    {
        if (_loopbackOnly is { } known)
        {
            return known;
        }
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null || addresses.Count == 0)
        {
            // An in-process test server listens on nothing: only this process reaches it.
            return true;
        }
        var result = addresses.All(IsLoopback);
        _loopbackOnly = result;
        return result;
    }

    private static bool IsLoopback(string address)
    {
        if (!Uri.TryCreate(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }
        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }
}

internal sealed class ReadHandler(ReadAccess reads) : AuthorizationHandler<ReadRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ReadRequirement requirement)
    {
        var http = context.Resource as HttpContext;
        var refusedKey = http is not null && ApiKeyAuthenticationHandler.Presented(http.Request) is not null;
        // A refused key is refused on reads too: a client learns at once that its key is bad.
        if (context.User.Identity?.IsAuthenticated == true || (!refusedKey && reads.Open))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// Refused keys per client address: after <see cref="AuthOptions.FailuresPerMinute"/> the address is
/// answered 429 without any key being checked. Refusals are audited at most once a minute per address,
/// so a flood cannot fill the table.
/// </summary>
public sealed class AuthFailures : IDisposable
{
    private static readonly TimeSpan AuditEvery = TimeSpan.FromMinutes(1);
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _audited = new(StringComparer.Ordinal);
    private readonly IAuditLog _audit;
    private readonly TimeProvider _time;

    public AuthFailures(Microsoft.Extensions.Options.IOptions<AuthOptions> options, IAuditLog audit, TimeProvider time)
    {
        _audit = audit;
        _time = time;
        var perMinute = Math.Max(1, options.Value.FailuresPerMinute);
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = perMinute,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>How long an address must wait, when it has used up its refusals; null when it may try.</summary>
    public TimeSpan? RetryAfter(string? address) =>
        _limiter.GetStatistics(address ?? "")?.CurrentAvailablePermits > 0 ? null : TimeSpan.FromMinutes(1);

    /// <summary>Counts a refused key; returns the wait when this one used up the address's budget.</summary>
    public async Task<TimeSpan?> FailedAsync(string? address, string? keyId, CancellationToken cancellationToken)
    {
        using var lease = _limiter.AttemptAcquire(address ?? "");
        await AuditAsync(address, new AuditEntry(0, _time.GetUtcNow(), keyId, null, null, AuditActions.AuthDenied, "key", keyId, StatusCodes.Status401Unauthorized, address), cancellationToken);
        if (lease.IsAcquired)
        {
            return null;
        }
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
    }

    /// <summary>A valid key asked for more than its role allows.</summary>
    public Task ForbiddenAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var actor = http.Actor();
        var address = http.Connection.RemoteIpAddress?.ToString();
        var entry = AuditEntry.For(actor, _time.GetUtcNow(), AuditActions.AuthDenied, "endpoint", $"{http.Request.Method} {http.Request.Path}", StatusCodes.Status403Forbidden);
        return AuditAsync($"{address}|{actor?.KeyId}", entry, cancellationToken);
    }

    private async Task AuditAsync(string? partition, AuditEntry entry, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var key = partition ?? "";
        if (_audited.TryGetValue(key, out var last) && now - last < AuditEvery)
        {
            return;
        }
        if (_audited.Count > 10_000)
        {
            _audited.Clear();
        }
        _audited[key] = now;
        try
        {
            await _audit.AppendAsync(entry, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The refusal stands whether or not it could be recorded: an unreachable database must
            // not turn a 401 into a 500 (nor let the request through).
            _audited.TryRemove(key, out _);
        }
    }

    public void Dispose() => _limiter.Dispose();
}
