using AgentLedger.Tests.Infrastructure;
using static AgentLedger.Tests.Infrastructure.Api;

namespace AgentLedger.Tests.ExternalAgents;

/// <summary>Client-chosen ids make every report safe to retry: a repeat is answered, a changed body refused.</summary>
public sealed class IdempotentReportTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly LedgerFactory _host;
    private readonly HttpClient _client;

    public IdempotentReportTests()
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
    public async Task The_same_one_call_report_three_times_with_one_id_records_one_run_and_a_changed_body_is_refused()
    {
        var id = Guid.NewGuid();
        var started = DateTimeOffset.UtcNow.AddMinutes(-2);
        object Report(string message) => new
        {
            id,
            agent_name = "py-agent",
            started_at = Iso(started),
            completed_at = Iso(started.AddSeconds(3)),
            status = "failed",
            error_type = "KeyError",
            error_message = message,
            resources_processed = 4,
            metrics = new { tokens = 12.5 },
        };

        var first = await _client.PostExpectAsync("/api/executions", Report("'offer'"), 201);
        var second = await _client.PostExpectAsync("/api/executions", Report("'offer'"), 200);
        var third = await _client.PostExpectAsync("/api/executions", Report("'offer'"), 200);

        Assert.Equal(id.ToString(), (string?)first["id"]);
        Assert.Equal(first.ToJsonString(), second.ToJsonString());
        Assert.Equal(first.ToJsonString(), third.ToJsonString());
        Assert.Equal(1, _db.Scalar("SELECT COUNT(*) FROM agent_executions"));
        var stats = (await _client.GetNodeAsync("/api/agents/py-agent/stats"))["stats"]!;
        Assert.Equal((1L, 1L), ((long)stats["total_runs"]!, (long)stats["failure_count_30d"]!));

        var changed = await _client.PostExpectAsync("/api/executions", Report("'need'"), 409);
        Assert.Contains("error_message", (string?)changed["detail"]);
        Assert.Contains("'need'", (string?)changed["detail"]);
        Assert.Equal(1, _db.Scalar("SELECT COUNT(*) FROM agent_executions"));
    }

    [Fact]
    public async Task A_repeated_start_is_answered_with_the_run_and_a_repeated_completion_with_the_finished_one()
    {
        var id = Guid.NewGuid();
        // No started_at: the ledger's now, yet the repeat (a moment later) is still the same report.
        var start = new { id, agent_name = "py-agent", heartbeat_seconds = 30, metadata = new { v = "1.2" } };
        var started = await _client.PostExpectAsync("/api/executions", start, 201);
        await Task.Delay(20);
        var again = await _client.PostExpectAsync("/api/executions", start, 200);
        Assert.Equal((string?)started["started_at"], (string?)again["started_at"]);

        var otherAgent = await _client.PostExpectAsync("/api/executions", new { id, agent_name = "other-agent", heartbeat_seconds = 30, metadata = new { v = "1.2" } }, 409);
        Assert.Contains("agent_name: sent \"other-agent\", stored \"py-agent\"", (string?)otherAgent["detail"]);

        var completion = new { status = "success", resources_processed = 3, proposals = new[] { new { type = "match", title = "Soup for Ana" } } };
        var done = await _client.PostExpectAsync($"/api/executions/{id}/complete", completion, 200);
        var repeated = await _client.PostExpectAsync($"/api/executions/{id}/complete", completion, 200);
        Assert.Equal(done.ToJsonString(), repeated.ToJsonString());
        Assert.Equal(1, _db.Scalar("SELECT COUNT(*) FROM proposals"));

        var different = await _client.PostExpectAsync($"/api/executions/{id}/complete", new { status = "failed", error_message = "late" }, 409);
        Assert.Contains("already final", (string?)different["detail"]);
        // The start's retry after the completion is still the same report.
        Assert.Equal("success", (string?)(await _client.PostExpectAsync("/api/executions", start, 200))["status"]);
        Assert.Equal(1, _db.Scalar("SELECT COUNT(*) FROM agent_executions"));
    }

    [Fact]
    public async Task Concurrent_identical_reports_with_one_id_record_one_run()
    {
        var id = Guid.NewGuid();
        var body = new { id, agent_name = "py-race", status = "success", started_at = Iso(DateTimeOffset.UtcNow.AddSeconds(-5)) };
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _client.PostJsonAsync("/api/executions", body)));
        Assert.All(answers, a => Assert.True((int)a.StatusCode is 200 or 201, $"{(int)a.StatusCode}: {a.Content.ReadAsStringAsync().Result}"));
        Assert.Single(answers, a => (int)a.StatusCode == 201);
        Assert.Equal(1, _db.Scalar("SELECT COUNT(*) FROM agent_executions"));
    }

    [Fact]
    public async Task An_id_of_a_run_not_reported_with_that_id_is_refused()
    {
        var run = await _client.ReportAsync(new { agent_name = "py-agent" });
        var reuse = await _client.PostExpectAsync("/api/executions", new { id = (string)run["id"]!, agent_name = "py-agent" }, 409);
        Assert.Contains("new random id", (string?)reuse["detail"]);
        await _client.PostExpectAsync("/api/executions", new { id = Guid.Empty, agent_name = "py-agent" }, 400);
    }
}
