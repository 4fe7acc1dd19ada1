using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static AgentLedger.Tests.Infrastructure.Api;

namespace AgentLedger.Tests.ExternalAgents;

/// <summary>External runs holding a heartbeat lease, driven by a fake clock so minutes pass in milliseconds.</summary>
public sealed class HeartbeatLeaseTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(Now);
    private readonly LedgerFactory _host;
    private readonly HttpClient _client;

    public HeartbeatLeaseTests()
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
    public async Task A_run_that_never_beats_is_abandoned_between_10_and_20_seconds_later_and_counts_as_a_failure()
    {
        var run = await _client.ReportAsync(new { agent_name = "py-agent", heartbeat_seconds = 5 });
        Assert.Equal(5, (int)run["heartbeat_seconds"]!);
        Assert.Equal(Iso(Now), (string?)run["last_heartbeat_at"]);

        await AdvanceAsync(10); // the lease lapses at 10 s exactly: not yet
        Assert.Equal("running", await StatusAsync(run));

        await AdvanceAsync(10);
        var final = await WaitForFinalAsync(run);
        Assert.Equal("abandoned", (string?)final["status"]);
        Assert.Contains("heartbeat", (string?)final["error_message"]);
        var completedAt = DateTimeOffset.Parse((string)final["completed_at"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(completedAt - Now, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20));
        var stats = (await _client.GetNodeAsync("/api/agents/py-agent/stats"))["stats"]!;
        Assert.Equal(1, (long)stats["failure_count_30d"]!);
        Assert.Equal(1, (long)stats["error_count"]!);
    }

    [Fact]
    public async Task A_run_that_beats_every_2_seconds_for_30_seconds_stays_running_and_merges_metadata()
    {
        var run = await _client.ReportAsync(new { agent_name = "py-agent", heartbeat_seconds = 5, metadata = new { host = "a" } });
        JsonNode beat = run;
        for (var i = 0; i < 15; i++)
        {
            await AdvanceAsync(2);
            beat = await _client.PostExpectAsync($"/api/executions/{run["id"]}/heartbeat", i == 7 ? new { metadata = new { step = i } } : new { }, 200);
        }
        await Task.Delay(100);
        Assert.Equal("running", await StatusAsync(run));
        Assert.Equal(Iso(Now.AddSeconds(30)), (string?)beat["last_heartbeat_at"]);
        Assert.Equal("a", (string?)beat["metadata"]!["host"]);
        Assert.Equal(7, (int)beat["metadata"]!["step"]!);

        // An empty body (no content type) is a beat too.
        var empty = await _client.PostAsync($"/api/executions/{run["id"]}/heartbeat", null);
        Assert.Equal(200, (int)empty.StatusCode);

        var done = await _client.PostExpectAsync($"/api/executions/{run["id"]}/complete", new { status = "success" }, 200);
        Assert.Equal("success", (string?)done["status"]);
        var late = await _client.PostExpectAsync($"/api/executions/{run["id"]}/heartbeat", new { }, 409);
        Assert.Contains("already final", (string?)late["detail"]);
    }

    [Fact]
    public async Task Running_in_the_agent_list_is_true_exactly_while_an_external_run_is_open()
    {
        var run = await _client.ReportAsync(new { agent_name = "outside" });
        Assert.True(await RunningAsync("outside"));
        Assert.True((bool)(await _client.GetNodeAsync("/api/agents/outside"))["running"]!);
        await _client.PostExpectAsync($"/api/executions/{run["id"]}/complete", new { status = "failed", error_message = "no" }, 200);
        Assert.False(await RunningAsync("outside"));
    }

    [Fact]
    public async Task Heartbeat_seconds_outside_5_to_3600_or_on_a_finished_run_is_refused()
    {
        var low = await _client.PostExpectAsync("/api/executions", new { agent_name = "py-agent", heartbeat_seconds = 4 }, 400);
        Assert.NotNull(low["errors"]!["heartbeat_seconds"]);
        await _client.PostExpectAsync("/api/executions", new { agent_name = "py-agent", heartbeat_seconds = 3601 }, 400);
        await _client.PostExpectAsync("/api/executions", new { agent_name = "py-agent", heartbeat_seconds = 10, status = "success" }, 400);
        await _client.PostExpectAsync($"/api/executions/{Guid.NewGuid()}/heartbeat", new { }, 404);
        Assert.Equal(0, _db.Scalar("SELECT COUNT(*) FROM agent_executions"));
    }

    [Fact]
    public async Task Two_nodes_sweeping_one_database_abandon_each_lapsed_run_exactly_once()
    {
        using var other = new LedgerFactory(_db, _time, node: "test-node-2");
        var otherClient = other.CreateAuthorizedClient();
        var runs = new List<JsonNode>();
        for (var i = 0; i < 6; i++)
        {
            runs.Add(await (i % 2 == 0 ? _client : otherClient).ReportAsync(new { agent_name = "py-agent", heartbeat_seconds = 5 }));
        }
        await AdvanceAsync(30);
        foreach (var run in runs)
        {
            Assert.Equal("abandoned", (string?)(await WaitForFinalAsync(run))["status"]);
        }
        await AdvanceAsync(20); // more sweeps by both nodes change nothing
        Assert.Equal(6, _db.Scalar("SELECT COUNT(*) FROM agent_executions WHERE status = 'abandoned'"));
        foreach (var period in new[] { "hour", "day", "all" })
        {
            Assert.Equal(6, _db.Scalar($"SELECT SUM(abandoned_count) FROM agent_rollups WHERE agent_name = 'py-agent' AND period = '{period}'"));
        }
        var totals = (await otherClient.GetNodeAsync("/api/agents/py-agent/stats"))["stats"]!;
        Assert.Equal(6, (long)totals["total_runs"]!);
        Assert.Equal(6, (long)totals["error_count"]!);
    }

    [Fact]
    public async Task Without_heartbeats_the_agents_timeout_still_bounds_an_open_run()
    {
        var run = await _client.ReportAsync(new { agent_name = "quiet" });
        Assert.Null(run["heartbeat_seconds"]);
        Assert.Null(run["last_heartbeat_at"]);
        (await _client.PutJsonAsync("/api/agents/quiet/settings", new { timeout_seconds = 30 })).EnsureSuccessStatusCode();
        await AdvanceAsync(50);
        Assert.Equal("running", await StatusAsync(run));
        await AdvanceAsync(20); // past twice the timeout (the stuck bound)
        Assert.Equal("abandoned", (string?)(await WaitForFinalAsync(run))["status"]);
    }

    private async Task AdvanceAsync(int seconds)
    {
        for (var i = 0; i < seconds; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }
        await Task.Delay(150); // let a sweep that the last second triggered finish
    }

    private async Task<string?> StatusAsync(JsonNode run) => (string?)(await _client.GetNodeAsync($"/api/executions/{run["id"]}"))["status"];

    private async Task<JsonNode> WaitForFinalAsync(JsonNode run)
    {
        JsonNode execution = run;
        for (var i = 0; i < 200 && (string?)execution["status"] == "running"; i++)
        {
            await Task.Delay(25);
            execution = await _client.GetNodeAsync($"/api/executions/{run["id"]}");
        }
        return execution;
    }

    private async Task<bool> RunningAsync(string agent) =>
        (bool)(await _client.GetNodeAsync("/api/agents"))["agents"]!.AsArray().Single(a => (string?)a!["name"] == agent)!["running"]!;
}
