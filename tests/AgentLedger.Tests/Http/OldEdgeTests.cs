using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static AgentLedger.Tests.Infrastructure.Api;

namespace AgentLedger.Tests.Http;

/// <summary>
/// The oldest edge of a sliding window is served from memory once read; every change to its raw
/// rows (a back-filled run, a run started or finished there) must still show in the next stats.
/// </summary>
public sealed class OldEdgeTests : IDisposable
{
    // 12:20, so a 24 h window starts at 12:20 yesterday and its oldest edge is [12:20, 13:00).
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 20, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Edge = Now.AddDays(-1);
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(Now);
    private readonly LedgerFactory _host;
    private readonly HttpClient _client;

    public OldEdgeTests()
    {
        _host = new LedgerFactory(_db, _time);
        _client = _host.CreateAuthorizedClient();
    }

    public void Dispose()
    {
        _host.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task Changes_to_the_oldest_edge_show_in_the_next_stats()
    {
        await Finished(Edge.AddMinutes(-10), "success", 100, cost: 1);   // before the window
        await Finished(Edge.AddMinutes(5), "success", 200, cost: 2);
        await Finished(Edge.AddMinutes(15), "failed", 300, cost: 4);
        await Finished(Edge.AddMinutes(50), "success", 400, cost: 8);    // a whole hour: from its rollup
        await Expect(runs: 3, success: 2, failures: 1, running: 0, max: 400, cost: 14);
        await Expect(runs: 3, success: 2, failures: 1, running: 0, max: 400, cost: 14); // served from memory

        await Finished(Edge.AddMinutes(25), "success", 900, cost: 16);   // back-filled into the edge
        await Expect(runs: 4, success: 3, failures: 1, running: 0, max: 900, cost: 30);

        var started = await _client.ReportAsync(new { agent_name = "old", started_at = Iso(Edge.AddMinutes(30)) });
        await Expect(runs: 5, success: 3, failures: 1, running: 1, max: 900, cost: 30);

        (await _client.PostJsonAsync($"/api/executions/{started["id"]}/complete",
            new { status = "failed", completed_at = Iso(Edge.AddMinutes(30).AddSeconds(2)), error_message = "late", metrics = new { cost = 32 } })).EnsureSuccessStatusCode();
        await Expect(runs: 5, success: 3, failures: 2, running: 0, max: 2000, cost: 62);

        // Ten minutes later the window starts at 12:30 yesterday: the run at 12:25 drops out.
        _time.Advance(TimeSpan.FromMinutes(10));
        await Expect(runs: 4, success: 2, failures: 2, running: 0, max: 2000, cost: 60);
    }

    private async Task Finished(DateTimeOffset startedAt, string status, long durationMs, double cost) =>
        await _client.ReportAsync(new
        {
            agent_name = "old",
            status,
            started_at = Iso(startedAt),
            completed_at = Iso(startedAt.AddMilliseconds(durationMs)),
            error_message = status == "failed" ? "boom" : null,
            metrics = new { cost },
        });

    private async Task Expect(long runs, long success, long failures, long running, long max, double cost)
    {
        var window = (await _client.GetNodeAsync("/api/agents/old/stats?window=24h"))["stats"]!["window"]!;
        Assert.Equal(
            (runs, success, failures, running, max, cost),
            ((long)window["runs"]!, (long)window["success_count"]!, (long)window["failure_count"]!, (long)window["running_count"]!,
                (long)window["duration_ms"]!["max"]!, (double)window["metrics"]!["cost"]!));
    }
}
