using AgentLedger.Core.Access;
using AgentLedger.Server.Auth;
using AgentLedger.Core.Common;
using AgentLedger.Core.Proposals;
using AgentLedger.Server.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AgentLedger.Server.Apis;

public static class ProposalsApi
{
    private const int MaxReasonLength = 2000;

    public static IEndpointRouteBuilder MapProposalsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/proposals").Access(AccessLevel.Read).WithTags("Proposals").Problems(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/", ListProposals).WithSummary("Proposals, newest first, filtered by agent and status.").Problems(StatusCodes.Status400BadRequest);
        api.MapGet("/{id:guid}", GetProposal).WithSummary("One proposal.").Problems(StatusCodes.Status404NotFound);
        api.MapPost("/{id:guid}/approve", Approve).Access(AccessLevel.Review).Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict).WithSummary("Approves a pending proposal; 409 unless pending.");
        api.MapPost("/{id:guid}/reject", Reject).Access(AccessLevel.Review).Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict).WithSummary("Rejects a pending proposal; 409 unless pending.");
        return app;
    }

    public static async Task<Ok<Page<Proposal>>> ListProposals(
        [FromQuery(Name = "agent_name")] string? agentName, string? status, [FromQuery(Name = "execution_id")] Guid? executionId,
        int? limit, string? cursor, IProposalStore proposals, CancellationToken cancellationToken)
    {
        if (agentName is not null && !AgentNames.IsValid(agentName))
        {
            throw ValidationException.For("agent_name", AgentNames.Rule);
        }
        var filter = new ProposalFilter(agentName, ApiQuery.Enum<ProposalStatus>(status, "status"), executionId, ApiQuery.Limit(limit), cursor);
        return TypedResults.Ok(await proposals.ListAsync(filter, cancellationToken));
    }

    public static async Task<Ok<Proposal>> GetProposal(Guid id, IProposalStore proposals, CancellationToken cancellationToken) =>
        TypedResults.Ok(await proposals.FindAsync(id, cancellationToken) ?? throw new NotFoundException($"No proposal has id '{id}'."));

    public static Task<Ok<Proposal>> Approve(
        Guid id, [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] DecisionRequest? decision,
        HttpContext http, IProposalStore proposals, TimeProvider time, CancellationToken cancellationToken) =>
        DecideAsync(id, ProposalStatus.Approved, decision, http, proposals, time, cancellationToken);

    public static Task<Ok<Proposal>> Reject(
        Guid id, [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] DecisionRequest? decision,
        HttpContext http, IProposalStore proposals, TimeProvider time, CancellationToken cancellationToken) =>
        DecideAsync(id, ProposalStatus.Rejected, decision, http, proposals, time, cancellationToken);

    private static async Task<Ok<Proposal>> DecideAsync(
        Guid id, ProposalStatus outcome, DecisionRequest? decision, HttpContext http, IProposalStore proposals, TimeProvider time, CancellationToken cancellationToken)
    {
        if (decision?.Reason is { Length: > MaxReasonLength } || decision?.DecidedBy is { Length: > 200 })
        {
            throw ValidationException.For(decision.Reason?.Length > MaxReasonLength ? "reason" : "decided_by", "is too long");
        }
        var now = time.GetUtcNow();
        var actor = http.Actor();
        var action = outcome == ProposalStatus.Approved ? AuditActions.ProposalApprove : AuditActions.ProposalReject;
        var audit = AuditEntry.For(actor, now, action, "proposal", id.ToString(), StatusCodes.Status200OK);
        return TypedResults.Ok(await proposals.DecideAsync(id, outcome, decision?.DecidedBy, decision?.Reason, now, cancellationToken, actor?.KeyName, audit));
    }
}
