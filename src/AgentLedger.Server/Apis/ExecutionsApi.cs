using AgentLedger.Server.Auth;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;
using AgentLedger.Core.Settings;
using AgentLedger.Server.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentLedger.Server.Apis;

public static class ExecutionsApi
{
    public static IEndpointRouteBuilder MapExecutionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").Access(AccessLevel.Read).WithTags("Executions").Problems(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/agents/{name}/executions", ListExecutions)
            .WithSummary("An agent's executions, newest first, with cursor paging; trace_id keeps the runs recorded from one OpenTelemetry trace.").Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        api.MapGet("/executions/{id:guid}", GetExecution).WithSummary("One execution.").Problems(StatusCodes.Status404NotFound);
        api.MapPost("/executions", ReportExecution).Reporting().Accepts<ReportExecutionRequest>("application/json")
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("An external agent reports a run: started (running), or finished in one call; a repeat with the same client-chosen id answers 200.");
        api.MapPost("/executions/{id:guid}/complete", CompleteExecution).Reporting().Accepts<CompleteExecutionRequest>("application/json")
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Finalises a running execution reported by an external agent; repeating the identical completion answers the stored execution.");
        api.MapPost("/executions/{id:guid}/heartbeat", Heartbeat).Reporting().Accepts<HeartbeatRequest>(isOptional: true, "application/json")
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Renews the heartbeat lease of a running external execution, optionally merging metadata.");
        return app;
    }

    public static async Task<Ok<Page<Execution>>> ListExecutions(
        string name, string? status, string? from, string? to, int? limit, string? cursor,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "trace_id")] string? traceId,
        IAgentDirectory directory, IExecutionLedger ledger, CancellationToken cancellationToken)
    {
        await directory.RequireAgentAsync(name, cancellationToken);
        var filter = new ExecutionFilter(
            ApiQuery.Enum<ExecutionStatus>(status, "status"),
            ApiQuery.Time(from, "from"),
            ApiQuery.Time(to, "to"),
            ApiQuery.Limit(limit),
            cursor,
            ApiQuery.TraceId(traceId, "trace_id"));
        return TypedResults.Ok(await ledger.ListAsync(name, filter, cancellationToken));
    }

    public static async Task<Ok<Execution>> GetExecution(Guid id, IExecutionLedger ledger, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ledger.FindAsync(id, cancellationToken) ?? throw new NotFoundException($"No execution has id '{id}'."));

    public static async Task<Results<Created<Execution>, Ok<Execution>>> ReportExecution(
        HttpRequest http, IExecutionLedger ledger, SettingsService settings, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await JsonBody<ReportExecutionRequest>.ReadAsync(http, optional: false, cancellationToken);
        var (start, outcome) = new ExecutionReportRules(time.GetUtcNow(), body.Errors).Check(body.Value);
        http.HttpContext.RequireAgent(start.AgentName);
        start = ReportScrubber.Scrub(start);
        outcome = ReportScrubber.Scrub(outcome);
        var request = body.Value!;
        var fingerprint = ReportIdempotency.Fingerprint(request);
        if (start.Id is { } id && await ledger.FindAsync(id, cancellationToken) is { } stored)
        {
            return TypedResults.Ok(ReportIdempotency.Repeat(stored, request, fingerprint));
        }
        var agent = (await settings.GetAsync(start.AgentName, cancellationToken)).Settings;
        if (!agent.Enabled)
        {
            throw new ConflictException(
                $"Agent '{start.AgentName}' is disabled in its settings: new runs are refused and nothing was recorded. Runs already open can still be completed; enable it with PUT /api/agents/{start.AgentName}/settings {{\"enabled\": true}}.",
                ConflictException.AgentDisabled);
        }
        start = start with { ReportHash = start.Id is null ? null : fingerprint };
        try
        {
            var execution = outcome is null
                ? await ledger.StartAsync(start, cancellationToken)
                : await ledger.RecordAsync(start, External(outcome, start.StartedAt, agent), cancellationToken);
            return TypedResults.Created($"/api/executions/{execution.Id}", execution);
        }
        catch (ConflictException e) when (e.Kind == ConflictException.IdTaken)
        {
            // A concurrent retry stored the same id first: answer as for any repeat.
            var raced = await ledger.FindAsync(start.Id!.Value, cancellationToken);
            if (raced is null)
            {
                throw;
            }
            return TypedResults.Ok(ReportIdempotency.Repeat(raced, request, fingerprint));
        }
    }

    public static async Task<Ok<Execution>> CompleteExecution(
        Guid id, HttpRequest http, IExecutionLedger ledger, SettingsService settings, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await JsonBody<CompleteExecutionRequest>.ReadAsync(http, optional: false, cancellationToken);
        var found = await ledger.FindAsync(id, cancellationToken);
        if (body.Errors.Count > 0)
        {
            // A malformed body is answered as such first, whatever the id names.
            new ExecutionReportRules(time.GetUtcNow(), body.Errors).Check(body.Value, found?.StartedAt ?? DateTimeOffset.MinValue);
        }
        var current = found ?? throw new NotFoundException($"No execution has id '{id}'.");
        http.HttpContext.RequireAgent(current.AgentName);
        var request = body.Value!;
        var fingerprint = ReportIdempotency.Fingerprint(request);
        if (current.Status != ExecutionStatus.Running)
        {
            return TypedResults.Ok(ReportIdempotency.RepeatCompletion(current, fingerprint));
        }
        if (current.Node is not null)
        {
            throw new ConflictException($"Execution '{id}' is run by AgentLedger node '{current.Node}'; only externally reported runs can be completed over HTTP.");
        }
        var outcome = ReportScrubber.Scrub(new ExecutionReportRules(time.GetUtcNow()).Check(request, current.StartedAt))!;
        // Completing an open run is accepted even when the agent was disabled meanwhile: the run happened.
        var agent = (await settings.GetAsync(current.AgentName, cancellationToken)).Settings;
        try
        {
            return TypedResults.Ok(await ledger.CompleteAsync(id, External(outcome, current.StartedAt, agent) with { CompletionHash = fingerprint }, cancellationToken));
        }
        catch (ConflictException)
        {
            // Finalised between our read and our write: a concurrent identical retry is answered, anything else refused.
            var final = await ledger.FindAsync(id, cancellationToken);
            if (final is null || final.Status == ExecutionStatus.Running)
            {
                throw;
            }
            return TypedResults.Ok(ReportIdempotency.RepeatCompletion(final, fingerprint));
        }
    }

    public static async Task<Ok<Execution>> Heartbeat(
        Guid id, HttpRequest http, IExecutionLedger ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await JsonBody<HeartbeatRequest>.ReadAsync(http, optional: true, cancellationToken);
        new ExecutionReportRules(time.GetUtcNow(), body.Errors).Check(body.Value);
        var current = await ledger.FindAsync(id, cancellationToken) ?? throw new NotFoundException($"No execution has id '{id}'.");
        http.HttpContext.RequireAgent(current.AgentName);
        return TypedResults.Ok(await ledger.BeatAsync(id, ReportScrubber.Scrub(body.Value?.Metadata), time.GetUtcNow(), cancellationToken));
    }

    /// <summary>
    /// What the agent's settings mean for a reported outcome: a run longer than its timeout is kept as
    /// reported and flagged, and its proposals expire after the agent's time-to-live like built-in ones.
    /// </summary>
    private static ExecutionOutcome External(ExecutionOutcome outcome, DateTimeOffset startedAt, AgentSettings agent)
    {
        var duration = outcome.DurationMs is { } ms ? TimeSpan.FromMilliseconds(ms) : LedgerTime.Normalize(outcome.CompletedAt) - LedgerTime.Normalize(startedAt);
        return outcome with
        {
            OverTimeout = duration > TimeSpan.FromSeconds(agent.TimeoutSeconds),
            Proposals = ProposalRules.WithExpiry(outcome.Proposals, agent, outcome.CompletedAt),
        };
    }
}
