using AgentLedger.Server.Auth;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Insights;
using AgentLedger.Core.Runner;
using AgentLedger.Core.Scheduling;
using AgentLedger.Core.Settings;
using AgentLedger.Core.Stats;
using AgentLedger.Server.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentLedger.Server.Apis;

public static class AgentsApi
{
    public static IEndpointRouteBuilder MapAgentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/agents").Access(AccessLevel.Read).WithTags("Agents").Problems(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/", ListAgents).WithSummary("Every known agent: built-in ones and external ones that reported a run.");
        api.MapGet("/{name}", GetAgent).WithSummary("One agent.").Problems(StatusCodes.Status404NotFound);
        api.MapPost("/{name}/run", RunAgent).Access(AccessLevel.Admin).Problems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict)
            .WithSummary("Runs an in-process agent now: 202 with the execution id, or 200 with the finished execution when wait=true.");
        return app;
    }

    public static async Task<Ok<AgentList>> ListAgents(
        IAgentDirectory directory, SettingsService settings, IStatsSource stats, IInsightsSource insights, ScheduleReader schedules, AgentRunner runner, TimeProvider time, CancellationToken cancellationToken)
    {
        var agents = await directory.ListAsync(cancellationToken);
        var summaries = await SummariesAsync(agents, settings, stats, insights, schedules, runner, time, cancellationToken);
        return TypedResults.Ok(new AgentList(summaries, summaries.Count));
    }

    public static async Task<Ok<AgentSummary>> GetAgent(
        string name, IAgentDirectory directory, SettingsService settings, IStatsSource stats, IInsightsSource insights, ScheduleReader schedules, AgentRunner runner, TimeProvider time, CancellationToken cancellationToken)
    {
        var agent = await directory.RequireAgentAsync(name, cancellationToken);
        return TypedResults.Ok((await SummariesAsync([agent], settings, stats, insights, schedules, runner, time, cancellationToken))[0]);
    }

    public static async Task<Results<Accepted<RunAccepted>, Ok<Execution>>> RunAgent(
        string name, bool? wait, bool? force, HttpContext http, IAgentDirectory directory, AgentRunner runner, CancellationToken cancellationToken)
    {
        var agent = await directory.RequireAgentAsync(name, cancellationToken);
        if (agent.Kind == AgentKind.External)
        {
            throw new ConflictException($"Agent '{name}' is external: it runs elsewhere and reports its own runs.");
        }
        var handle = await runner.StartAsync(name, ExecutionTrigger.Manual, force ?? false, cancellationToken: cancellationToken, requestedBy: http.Actor());
        if (wait == true)
        {
            // The run belongs to the runner: a client that disconnects does not cancel it.
            return TypedResults.Ok(await handle.Completion.WaitAsync(cancellationToken));
        }
        return TypedResults.Accepted($"/api/executions/{handle.Started.Id}", new RunAccepted(handle.Started.Id));
    }

    private static async Task<IReadOnlyList<AgentSummary>> SummariesAsync(
        IReadOnlyList<AgentInfo> agents, SettingsService settings, IStatsSource stats, IInsightsSource insights, ScheduleReader schedules, AgentRunner runner, TimeProvider time, CancellationToken cancellationToken)
    {
        var names = agents.Select(a => a.Name).ToList();
        var effective = await settings.GetAllAsync(names, cancellationToken);
        var latest = await stats.LatestAsync(names, cancellationToken);
        var scheduled = await schedules.ReadAsync(agents, effective, cancellationToken);
        var running = await insights.OldestRunningAsync(names, cancellationToken);
        var now = time.GetUtcNow();
        return agents.Select(agent =>
        {
            var stored = effective[agent.Name];
            var s = stored.Settings;
            var runs = latest.GetValueOrDefault(agent.Name);
            var health = AgentHealth.Judge(stored, agent.FirstSeenAt, runs, running, now);
            return new AgentSummary(
                agent.Name, agent.DisplayName, agent.Description, agent.Kind.ToWire(), s.Enabled, s.IntervalSeconds, s.TimeoutSeconds,
                runs?.Last?.StartedAt, runs?.Last?.Status.ToWire(), scheduled.GetValueOrDefault(agent.Name)?.NextRun,
                // Open anywhere: on this node, another node, or outside (an external agent's run).
                running.ContainsKey(agent.Name) || runner.IsRunning(agent.Name),
                health.Health, health.HealthReason);
        }).ToList();
    }
}
