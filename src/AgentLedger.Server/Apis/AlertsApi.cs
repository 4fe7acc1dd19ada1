using AgentLedger.Server.Auth;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Alerts;
using AgentLedger.Core.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentLedger.Server.Apis;

public static class AlertsApi
{
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/alerts", ListAlerts).WithTags("Alerts").Access(AccessLevel.Read)
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Agents' health changes, newest first, each with its webhook delivery (status, attempts, last error).");
        return app;
    }

    public static async Task<Ok<Page<Alert>>> ListAlerts(
        string? agent, int? limit, string? cursor, IAgentDirectory directory, IAlertStore alerts, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(agent))
        {
            await directory.RequireAgentAsync(agent, cancellationToken);
        }
        return TypedResults.Ok(await alerts.ListAsync(string.IsNullOrEmpty(agent) ? null : agent, ApiQuery.Limit(limit), cursor, cancellationToken));
    }
}
