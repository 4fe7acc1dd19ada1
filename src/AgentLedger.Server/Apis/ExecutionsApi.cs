using AgentLedger.Core.Agents;
using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;
using AgentLedger.Server.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentLedger.Server.Apis;

public static class ExecutionsApi
{
    public static IEndpointRouteBuilder MapExecutionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Executions").Problems(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/agents/{name}/executions", ListExecutions)
            .WithSummary("An agent's executions, newest first, with cursor paging.").Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        api.MapGet("/executions/{id:guid}", GetExecution).WithSummary("One execution.").Problems(StatusCodes.Status404NotFound);
        api.MapPost("/executions", ReportExecution).Reporting()
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("An external agent reports a run: started (running), or finished in one call.");
        api.MapPost("/executions/{id:guid}/complete", CompleteExecution).Reporting()
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Finalises a running execution reported by an external agent.");
        return app;
    }

    public static async Task<Ok<Page<Execution>>> ListExecutions(
        string name, string? status, string? from, string? to, int? limit, string? cursor,
        IAgentDirectory directory, IExecutionLedger ledger, CancellationToken cancellationToken)
    {
        await directory.RequireAgentAsync(name, cancellationToken);
        var filter = new ExecutionFilter(
            ApiQuery.Enum<ExecutionStatus>(status, "status"),
            ApiQuery.Time(from, "from"),
            ApiQuery.Time(to, "to"),
            ApiQuery.Limit(limit),
            cursor);
        return TypedResults.Ok(await ledger.ListAsync(name, filter, cancellationToken));
    }

    public static async Task<Ok<Execution>> GetExecution(Guid id, IExecutionLedger ledger, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ledger.FindAsync(id, cancellationToken) ?? throw new NotFoundException($"No execution has id '{id}'."));

    public static async Task<Created<Execution>> ReportExecution(
        ReportExecutionRequest request, IExecutionLedger ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var (start, outcome) = new ExecutionReportRules(time.GetUtcNow()).Check(request);
        var execution = outcome is null
            ? await ledger.StartAsync(start, cancellationToken)
            : await ledger.RecordAsync(start, outcome, cancellationToken);
        return TypedResults.Created($"/api/executions/{execution.Id}", execution);
    }

    public static async Task<Ok<Execution>> CompleteExecution(
        Guid id, CompleteExecutionRequest request, IExecutionLedger ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var current = await ledger.FindAsync(id, cancellationToken) ?? throw new NotFoundException($"No execution has id '{id}'.");
        if (current.Status != ExecutionStatus.Running)
        {
            throw new ConflictException($"Execution '{id}' is already final ({current.Status.ToWire()}).");
        }
        if (current.Node is not null)
        {
            throw new ConflictException($"Execution '{id}' is run by AgentLedger node '{current.Node}'; only externally reported runs can be completed over HTTP.");
        }
        var outcome = new ExecutionReportRules(time.GetUtcNow()).Check(request, current.StartedAt);
        return TypedResults.Ok(await ledger.CompleteAsync(id, outcome, cancellationToken));
    }
}
