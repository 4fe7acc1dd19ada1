using AgentLedger.Server.Auth;
using AgentLedger.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgentLedger.Server.Apis;

public static class HealthApi
{
    public static IServiceCollection AddLedgerHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).Access(AccessLevel.Open);
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready") }).Access(AccessLevel.Open);
        return app;
    }

    /// <summary>Ready means the database answers and every migration, the ledger's and the commons', is applied.</summary>
    private sealed class DatabaseHealthCheck(LedgerDatabase database, DatabaseSchema schema) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                if (!await database.CanConnectAsync(cancellationToken))
                {
                    return HealthCheckResult.Unhealthy("The database cannot be reached.");
                }
                var pending = await schema.PendingMigrationsAsync(cancellationToken);
                return pending.Count == 0
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy($"{pending.Count} migrations are not applied.");
            }
            catch (Exception ex)
            {
                return HealthCheckResult.Unhealthy("The database cannot be reached.", ex);
            }
        }
    }
}
