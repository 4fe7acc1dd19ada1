using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using AgentLedger.Core.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AgentLedger.Server.Auth;

/// <summary>
/// Accepts <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c>: the bootstrap key
/// (an admin), or a named key checked against the database on every request, so a revocation or
/// expiry holds on the next request on every node.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore bootstrap,
    KeyHasher hasher,
    IKeyStore keys,
    AuthFailures failures,
    TimeProvider time,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string KeyIdClaim = "agentledger:key_id";
    public const string AgentClaim = "agentledger:agent";
    public const string BootstrapId = "bootstrap";
    private const string ThrottledItem = "agentledger:auth-throttled";

    /// <summary>The same words for every refused key, whatever the reason: unknown id, wrong secret, revoked, expired, malformed.</summary>
    private const string Refused = "The API key is not valid.";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Presented(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }
        var address = Context.Connection.RemoteIpAddress?.ToString();
        if (failures.RetryAfter(address) is { } blocked)
        {
            Context.Items[ThrottledItem] = blocked;
            return AuthenticateResult.Fail(Refused);
        }
        var principal = bootstrap.Matches(presented) ? Principal(BootstrapId, "bootstrap", KeyRole.Admin, []) : await NamedKeyAsync(presented);
        if (principal is null)
        {
            KeyFormat.TryParse(presented, out var id, out _);
            if (await failures.FailedAsync(address, id.Length > 0 ? id : null, Context.RequestAborted) is { } retryAfter)
            {
                Context.Items[ThrottledItem] = retryAfter;
            }
            return AuthenticateResult.Fail(Refused);
        }
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private async Task<ClaimsPrincipal?> NamedKeyAsync(string presented)
    {
        if (!KeyFormat.TryParse(presented, out var id, out var secret))
        {
            return null;
        }
        var stored = await keys.FindAsync(id, Context.RequestAborted);
        var now = time.GetUtcNow();
        // Every branch hashes once, so an unknown id costs what a wrong secret costs.
        var current = hasher.Matches(secret, stored?.SecretHash ?? new string('0', 64));
        var previous = stored?.PreviousValidUntil > now && hasher.Matches(secret, stored.PreviousSecretHash);
        if (stored is null || !(current || previous) || stored.Key.RevokedAt is not null || stored.Key.ExpiresAt <= now)
        {
            return null;
        }
        if (stored.Key.LastUsedAt is not { } used || now - used >= TimeSpan.FromMinutes(1))
        {
            await keys.TouchAsync(id, now, Context.RequestAborted);
        }
        return Principal(stored.Key.Id, stored.Key.Name, stored.Key.Role, stored.Key.Agents);
    }

    private static ClaimsPrincipal Principal(string id, string name, KeyRole role, IReadOnlyList<string> agents)
    {
        var claims = new List<Claim> { new(KeyIdClaim, id), new(ClaimTypes.Name, name), new(ClaimTypes.Role, role.ToWire()) };
        claims.AddRange(agents.Select(a => new Claim(AgentClaim, a)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[ThrottledItem] is TimeSpan wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await WriteAsync(new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Type = "https://www.rfc-editor.org/rfc/rfc6585#section-4",
                Title = "Too many requests.",
                Detail = $"Too many refused API keys from this address; nothing was done, retry after {seconds} s.",
            });
            return;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var detail = Presented(Request) is null
            ? "This call needs an API key: send it as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'."
            : Refused;
        await WriteAsync(new ProblemDetails { Status = StatusCodes.Status401Unauthorized, Title = "Unauthorized.", Detail = detail });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var role = Context.User.FindFirstValue(ClaimTypes.Role);
        var minimum = Context.GetEndpoint()?.Metadata.GetMetadata<RequiredAccess>()?.Describe() ?? "another role";
        await failures.ForbiddenAsync(Context, Context.RequestAborted);
        await WriteAsync(new ProblemDetails
        {
            Status = StatusCodes.Status403Forbidden,
            Title = "Forbidden.",
            Detail = $"This key's role '{role}' may not do this: it needs {minimum}.",
        });
    }

    private Task WriteAsync(ProblemDetails problem) =>
        problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem }).AsTask();

    public static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Api-Key", out var header) && !string.IsNullOrEmpty(header))
        {
            return header.ToString();
        }
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }
}

/// <summary>
/// The bootstrap key, an admin: configured (<c>AgentLedger:ApiKey</c>), else generated once and kept
/// in a mode-600 file under the data folder. Its value is never logged.
/// </summary>
public sealed partial class ApiKeyStore
{
    private readonly byte[] _keyHash;

    public ApiKeyStore(string? configuredKey, string dataFolder, ILogger<ApiKeyStore> logger)
    {
        string key;
        if (!string.IsNullOrWhiteSpace(configuredKey))
        {
            key = configuredKey;
            KeyFile = null;
        }
        else
        {
            KeyFile = Path.Combine(dataFolder, "api-key");
            key = SecretFile.LoadOrCreate(KeyFile, () => KeyFormat.Base64Url(RandomNumberGenerator.GetBytes(32)));
            LogKeyFile(logger, KeyFile);
        }
        _keyHash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
    }

    /// <summary>Where the generated key is kept; null when the key comes from configuration.</summary>
    public string? KeyFile { get; }

    public bool Matches(string presented) =>
        CryptographicOperations.FixedTimeEquals(_keyHash, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "No AgentLedger:ApiKey is configured; the bootstrap admin key is the generated one stored in {KeyFile}")]
    private static partial void LogKeyFile(ILogger logger, string keyFile);
}
