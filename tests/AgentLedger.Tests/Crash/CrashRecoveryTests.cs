using AgentLedger.Tests.Infrastructure;

namespace AgentLedger.Tests.Crash;

public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task A_run_killed_mid_flight_is_abandoned_after_the_next_start_and_counts_as_a_failure()
    {
        using var db = new TestDatabase();
        string inFlight, external;
        using (var server = await ServerProcess.StartAsync(db))
        {
            (await server.Client.SetConfigAsync("scripted", new { config = new { outcome = "block" } })).EnsureSuccessStatusCode();
            inFlight = (string)(await server.Client.PostExpectAsync("/api/agents/scripted/run", new { }, 202))["execution_id"]!;
            external = (string)(await server.Client.ReportAsync(new { agent_name = "remote" }))["id"]!;
            Assert.Equal("running", (string?)(await server.Client.GetNodeAsync($"/api/executions/{inFlight}"))["status"]);

            server.Kill();
        }
        Assert.Equal(2, db.Scalar("SELECT COUNT(*) FROM agent_executions WHERE status = 'running'"));

        using var restarted = new LedgerFactory(db);
        var client = restarted.CreateClient();
        var recovered = await client.GetNodeAsync($"/api/executions/{inFlight}");
        Assert.Equal("abandoned", (string?)recovered["status"]);
        Assert.NotNull(recovered["completed_at"]);
        Assert.Null(recovered["duration_ms"]);
        // An external agent's open run is its own business, not this process's.
        Assert.Equal("running", (string?)(await client.GetNodeAsync($"/api/executions/{external}"))["status"]);

        var stats = (await client.GetNodeAsync("/api/agents/scripted/stats"))["stats"]!;
        Assert.Equal("abandoned", (string?)stats["last_status"]);
        Assert.Equal(1, (long)stats["failure_count_30d"]!);
        Assert.Equal(1, (long)stats["consecutive_failures"]!);
        Assert.Equal(0, (long)stats["window"]!["running_count"]!);
        Assert.NotNull(stats["last_error"]);
    }

    [Fact]
    public async Task Recovery_leaves_the_runs_of_other_nodes_alone()
    {
        using var db = new TestDatabase();
        string other;
        using (var server = await ServerProcess.StartAsync(db, node: "node-b"))
        {
            (await server.Client.SetConfigAsync("scripted", new { config = new { outcome = "block" } })).EnsureSuccessStatusCode();
            other = (string)(await server.Client.PostExpectAsync("/api/agents/scripted/run", new { }, 202))["execution_id"]!;
            using var nodeA = new LedgerFactory(db, node: "node-a");
            Assert.Equal("running", (string?)(await nodeA.CreateClient().GetNodeAsync($"/api/executions/{other}"))["status"]);
            server.Kill();
        }
    }
}
