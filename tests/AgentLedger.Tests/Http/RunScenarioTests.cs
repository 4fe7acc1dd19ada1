using System.Net;
using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;

namespace AgentLedger.Tests.Http;

/// <summary>The original spec's scenarios, through the runner of a real host over HTTP.</summary>
public sealed class RunScenarioTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly LedgerFactory _host;
    private readonly HttpClient _client;

    public RunScenarioTests()
    {
        _host = new LedgerFactory(_db);
        _client = _host.CreateAuthorizedClient();
    }

    public void Dispose()
    {
        _host.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task Successful_run_records_success_with_duration_and_real_proposal_count()
    {
        (await _client.SetConfigAsync("scripted", new { config = new { delay_ms = 60, proposals = 3, resources = 7, metrics = new { pairs_scored = 12.5 } } })).EnsureSuccessStatusCode();

        var run = await _client.PostExpectAsync("/api/agents/scripted/run?wait=true", new { }, 200);

        Assert.Equal("success", (string?)run["status"]);
        Assert.Equal("manual", (string?)run["trigger"]);
        Assert.Equal("test-node", (string?)run["node"]);
        // The timer may fire a tick early; the duration still reflects the wait, not zero.
        Assert.InRange((long)run["duration_ms"]!, 50, 10_000);
        Assert.Equal(3, (int)run["proposals_created"]!);
        Assert.Equal(7, (long)run["resources_processed"]!);
        Assert.Equal(12.5, (double)run["metrics"]!["pairs_scored"]!);
        var id = (string)run["id"]!;
        var stored = await _client.GetNodeAsync($"/api/executions/{id}");
        Assert.Equal("success", (string?)stored["status"]);
        var proposals = await _client.GetNodeAsync($"/api/proposals?execution_id={id}");
        Assert.Equal(3, proposals["items"]!.AsArray().Count);
        Assert.All(proposals["items"]!.AsArray(), p => Assert.Equal("pending", (string?)p!["status"]));

        var stats = (await _client.GetNodeAsync("/api/agents/scripted/stats"))["stats"]!;
        Assert.Equal(3, (long)stats["proposals_created_30d"]!);
        Assert.Equal(1, (long)stats["success_count_30d"]!);
        Assert.Equal(12.5, (double)stats["window"]!["metrics"]!["pairs_scored"]!);
        Assert.Equal(7, (long)stats["window"]!["resources_processed"]!);
    }

    [Fact]
    public async Task Failing_run_is_recorded_failed_with_the_exception_message_and_stays_persisted()
    {
        (await _client.SetConfigAsync("scripted", new { config = new { outcome = "fail", message = "inventory feed returned 502" } })).EnsureSuccessStatusCode();

        var run = await _client.PostExpectAsync("/api/agents/scripted/run?wait=true", new { }, 200);

        Assert.Equal("failed", (string?)run["status"]);
        Assert.Equal("InvalidOperationException", (string?)run["error_type"]);
        Assert.Equal("inventory feed returned 502", (string?)run["error_message"]);
        Assert.Contains("ScriptedAgent", (string?)run["metadata"]!["stack_trace"]);
        var id = (string)run["id"]!;

        // A fresh host on the same file: the failure is still there.
        _host.Dispose();
        using var restarted = new LedgerFactory(_db);
        var client = restarted.CreateClient();
        var stored = await client.GetNodeAsync($"/api/executions/{id}");
        Assert.Equal("failed", (string?)stored["status"]);
        var stats = (await client.GetNodeAsync("/api/agents/scripted/stats"))["stats"]!;
        Assert.Equal("inventory feed returned 502", (string?)stats["last_error"]);
        Assert.Equal("failed", (string?)stats["last_status"]);
        Assert.Equal(1, (long)stats["failure_count_30d"]!);
        Assert.Equal(1, (long)stats["consecutive_failures"]!);
        Assert.Equal(1, (long)stats["error_count"]!);
        Assert.NotNull(stats["last_error_at"]);
    }

    [Fact]
    public async Task Running_row_is_durable_before_the_agent_finishes()
    {
        (await _client.SetConfigAsync("scripted", new { config = new { outcome = "block" } })).EnsureSuccessStatusCode();

        var accepted = await _client.PostExpectAsync("/api/agents/scripted/run", new { }, 202);
        var id = (string)accepted["execution_id"]!;

        Assert.Equal(1, _db.Scalar($"SELECT COUNT(*) FROM agent_executions WHERE status = 'running'"));
        var running = await _client.GetNodeAsync($"/api/executions/{id}");
        Assert.Equal("running", (string?)running["status"]);
        var stats = (await _client.GetNodeAsync("/api/agents/scripted/stats?window=24h"))["stats"]!;
        Assert.Equal(1, (long)stats["window"]!["running_count"]!);
        Assert.Equal(1, (long)stats["window"]!["runs"]!);
        Assert.Equal("running", (string?)stats["last_status"]);

        // A second manual run of the same agent on this node is refused.
        var second = await _client.PostAsync("/api/agents/scripted/run", null);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);

        // Host shutdown cancels the run and records it as cancelled.
        _host.Dispose();
        using var restarted = new LedgerFactory(_db);
        var after = await restarted.CreateClient().GetNodeAsync($"/api/executions/{id}");
        Assert.Equal("cancelled", (string?)after["status"]);
        Assert.NotNull(after["completed_at"]);
    }

    [Fact]
    public async Task Disabled_agent_is_not_run_unless_forced()
    {
        (await _client.SetConfigAsync("scripted", new { enabled = false })).EnsureSuccessStatusCode();

        var refused = await _client.PostAsync("/api/agents/scripted/run?wait=true", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(0, _db.Scalar("SELECT COUNT(*) FROM agent_executions"));

        var forced = await _client.PostExpectAsync("/api/agents/scripted/run?wait=true&force=true", new { }, 200);
        Assert.Equal("success", (string?)forced["status"]);
    }

    [Fact]
    public async Task Run_without_wait_answers_202_with_location_of_the_execution()
    {
        var response = await _client.PostAsync("/api/agents/scripted/run", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (string)(await response.ReadNodeAsync())["execution_id"]!;
        Assert.Equal($"/api/executions/{id}", response.Headers.Location?.ToString());
        JsonNode? execution = null;
        for (var i = 0; i < 100 && (string?)execution?["status"] != "success"; i++)
        {
            await Task.Delay(50);
            execution = await _client.GetNodeAsync($"/api/executions/{id}");
        }
        Assert.Equal("success", (string?)execution?["status"]);
    }

    [Fact]
    public async Task Unknown_and_external_agents_cannot_be_run()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _client.PostAsync("/api/agents/nobody/run", null)).StatusCode);
        await _client.ReportAsync(new { agent_name = "remote-bot", status = "success" });
        Assert.Equal(HttpStatusCode.Conflict, (await _client.PostAsync("/api/agents/remote-bot/run", null)).StatusCode);
    }
}
