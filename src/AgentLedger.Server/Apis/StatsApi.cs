using AgentLedger.Server.Auth;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Common;
using AgentLedger.Core.Insights;
using AgentLedger.Core.Stats;
using AgentLedger.Server.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentLedger.Server.Apis;

public static class StatsApi
{
    private static readonly StatsWindow DefaultHistoryWindow = new("7d", TimeSpan.FromDays(7));

    /// <summary>A chart of more points than this is unreadable and expensive; use bucket=1d.</summary>
    public const int MaxHistoryPoints = 2000;

    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/agents").Access(AccessLevel.Read).WithTags("Stats").Problems(StatusCodes.Status400BadRequest, StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/stats", GetAllStats).WithSummary("Stats of every known agent, from the ledger.");
        api.MapGet("/{name}/stats", GetAgentStats).WithSummary("Stats of one agent.").Problems(StatusCodes.Status404NotFound);
        api.MapGet("/{name}/errors", GetErrors).WithSummary("The agent's failures grouped by fingerprint (type + normalised message), newest first.").Problems(StatusCodes.Status404NotFound);
        api.MapGet("/{name}/history", GetHistory).WithSummary("Runs, failures, proposals and durations per hour or day.").Problems(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<Dictionary<string, StatsEnvelope>>> GetAllStats(
        string? window, string? compare, IAgentDirectory directory, StatsService stats, CancellationToken cancellationToken)
    {
        var parsed = ApiQuery.Window(window);
        var agents = (await directory.ListAsync(cancellationToken)).Select(a => a.Name).ToList();
        var result = await stats.GetAsync(agents, parsed, cancellationToken, Compare(compare));
        return TypedResults.Ok(agents.ToDictionary(a => a, a => new StatsEnvelope(result[a])));
    }

    public static async Task<Ok<StatsEnvelope>> GetAgentStats(
        string name, string? window, string? compare, IAgentDirectory directory, StatsService stats, CancellationToken cancellationToken)
    {
        await directory.RequireAgentAsync(name, cancellationToken);
        var parsed = ApiQuery.Window(window);
        return TypedResults.Ok(new StatsEnvelope(await stats.GetOneAsync(name, parsed, Compare(compare), cancellationToken)));
    }

    public static async Task<Ok<ErrorGroupList>> GetErrors(
        string name, string? window, IAgentDirectory directory, IInsightsSource insights, TimeProvider time, CancellationToken cancellationToken)
    {
        await directory.RequireAgentAsync(name, cancellationToken);
        var parsed = ApiQuery.Window(window);
        var range = parsed.Resolve(LedgerTime.Normalize(time.GetUtcNow()));
        var failures = await insights.FailuresAsync(name, range.From, range.To + TimeSpan.FromTicks(TimeSpan.TicksPerMicrosecond), cancellationToken);
        return TypedResults.Ok(new ErrorGroupList(name, parsed.Name, range.From, range.To, failures.Count, ErrorGroups.Of(failures), null));
    }

    private static bool Compare(string? compare) => compare switch
    {
        null or "" => false,
        "previous" => true,
        _ => throw ValidationException.For("compare", "must be 'previous'"),
    };

    public static async Task<Ok<AgentHistory>> GetHistory(
        string name, string? window, string? bucket, IAgentDirectory directory, IStatsSource source, TimeProvider time, CancellationToken cancellationToken)
    {
        await directory.RequireAgentAsync(name, cancellationToken);
        var parsed = ApiQuery.Window(window, DefaultHistoryWindow);
        var (period, size) = bucket switch
        {
            null or "" or "1h" => (BucketPeriod.Hour, TimeSpan.FromHours(1)),
            "1d" => (BucketPeriod.Day, TimeSpan.FromDays(1)),
            _ => throw ValidationException.For("bucket", "must be 1h or 1d"),
        };
        if (parsed.Length / size > MaxHistoryPoints)
        {
            throw ValidationException.For("bucket", $"window {parsed.Name} has more than {MaxHistoryPoints} {bucket ?? "1h"} buckets; use bucket=1d");
        }
        var now = LedgerTime.Normalize(time.GetUtcNow());
        var range = parsed.Resolve(now);
        var series = await source.SeriesAsync(name, range.From, range.To + TimeSpan.FromTicks(TimeSpan.TicksPerMicrosecond), period, cancellationToken);
        var points = series.Select(p => new HistoryPoint(
            p.Start,
            p.Totals.Runs,
            p.Totals.Success,
            p.Totals.Failures,
            p.Totals.Cancelled,
            p.Totals.Running,
            p.Totals.ProposalsCreated,
            new HistoryDurations(p.Totals.DurationPercentile(0.50), p.Totals.DurationPercentile(0.95), p.Totals.DurationCount == 0 ? null : p.Totals.DurationMaxMs),
            p.Archived)).ToList();
        return TypedResults.Ok(new AgentHistory(name, parsed.Name, period == BucketPeriod.Hour ? "1h" : "1d", range.From, range.To, points));
    }
}
