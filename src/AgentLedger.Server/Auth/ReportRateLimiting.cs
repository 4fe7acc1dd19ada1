using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace AgentLedger.Server.Auth;

/// <summary>Per-client limits on the reporting endpoints, so one runaway agent cannot starve the others.</summary>
public static class ReportRateLimiting
{
    public const string Policy = "reports";

    public static IServiceCollection AddReportRateLimiting(this IServiceCollection services, RateLimitOptions limits)
    {
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(Policy, context => RateLimitPartition.GetTokenBucketLimiter(
                ClientKey(context),
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.Burst,
                    TokensPerPeriod = limits.ReportsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var http = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        // The framework has no default type for 429; RFC 6585 defines the status.
                        Type = "https://www.rfc-editor.org/rfc/rfc6585#section-4",
                        Title = "Too many requests.",
                        Detail = $"This client sends reports faster than {limits.ReportsPerSecond} per second; nothing was recorded, retry after {retryAfter} s.",
                    },
                });
            };
        });
        return services;
    }

    /// <summary>A client is its key and address: agents sharing one key on different hosts get their own budgets.</summary>
    private static string ClientKey(HttpContext context)
    {
        var key = context.Request.Headers["X-Api-Key"].ToString();
        if (key.Length == 0)
        {
            key = context.Request.Headers.Authorization.ToString();
        }
        return $"{context.Connection.RemoteIpAddress}|{key.GetHashCode(StringComparison.Ordinal)}";
    }
}

/// <summary>Bound from <c>AgentLedger:RateLimit</c>.</summary>
public sealed class RateLimitOptions
{
    public int ReportsPerSecond { get; set; } = 5000;

    public int Burst { get; set; } = 10000;
}
