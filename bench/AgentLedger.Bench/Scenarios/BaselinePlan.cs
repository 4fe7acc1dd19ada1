using AgentLedger.Storage;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Bench.Scenarios;

/// <summary>
/// The stats plan of the system AgentLedger replaces: four queries per agent over raw rows (last
/// run, 30-day proposal sum, 30-day successes, 30-day failures). It is given every advantage: one
/// open connection for the whole request, the ledger's indexes, no HTTP and no JSON.
/// </summary>
public static class BaselinePlan
{
    private static readonly string[] FailureStatuses = ["failed", "timeout", "abandoned"];

    public sealed record AgentRow(string Agent, DateTimeOffset? LastRun, long Proposals30d, long Success30d, long Failure30d);

    public static async Task<IReadOnlyList<AgentRow>> RunAsync(ILedgerDbContextFactory contexts, IReadOnlyList<string> agents, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var db = contexts.Create();
        await db.Database.OpenConnectionAsync(cancellationToken);
        var result = new List<AgentRow>(agents.Count);
        foreach (var agent in agents)
        {
            var last = await db.Executions.AsNoTracking()
                .Where(e => e.AgentName == agent)
                .OrderByDescending(e => e.StartedAt)
                .FirstOrDefaultAsync(cancellationToken);
            var window = db.Executions.AsNoTracking().Where(e => e.AgentName == agent && e.StartedAt >= from && e.StartedAt < to);
            var proposals = await window.SumAsync(e => (long)e.ProposalsCreated, cancellationToken);
            var success = await window.LongCountAsync(e => e.Status == "success", cancellationToken);
            var failure = await window.LongCountAsync(e => FailureStatuses.Contains(e.Status), cancellationToken);
            result.Add(new AgentRow(agent, last?.StartedAt, proposals, success, failure));
        }
        return result;
    }
}
