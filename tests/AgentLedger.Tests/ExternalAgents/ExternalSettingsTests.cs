using AgentLedger.Tests.Infrastructure;
using static AgentLedger.Tests.Infrastructure.Api;

namespace AgentLedger.Tests.ExternalAgents;

/// <summary>An external agent's settings mean for its reports what they mean for built-in agents.</summary>
public sealed class ExternalSettingsTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly LedgerFactory _host;
    private readonly HttpClient _client;

    public ExternalSettingsTests()
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
    public async Task A_disabled_external_agent_refuses_new_reports_but_its_open_run_still_beats_and_completes()
    {
        var open = await _client.ReportAsync(new { agent_name = "py-agent", heartbeat_seconds = 60 });
        (await _client.PutJsonAsync("/api/agents/py-agent/settings", new { enabled = false })).EnsureSuccessStatusCode();
        var rows = _db.Scalar("SELECT COUNT(*) FROM agent_executions");

        var start = await _client.PostExpectAsync("/api/executions", new { agent_name = "py-agent" }, 409);
        Assert.EndsWith("/agent-disabled", (string?)start["type"]);
        Assert.Contains("disabled", (string?)start["detail"]);
        var oneCall = await _client.PostExpectAsync("/api/executions", new { id = Guid.NewGuid(), agent_name = "py-agent", status = "success" }, 409);
        Assert.EndsWith("/agent-disabled", (string?)oneCall["type"]);
        Assert.Equal(rows, _db.Scalar("SELECT COUNT(*) FROM agent_executions"));

        await _client.PostExpectAsync($"/api/executions/{open["id"]}/heartbeat", new { }, 200);
        var done = await _client.PostExpectAsync($"/api/executions/{open["id"]}/complete", new { status = "success" }, 200);
        Assert.Equal("success", (string?)done["status"]);
    }

    [Fact]
    public async Task A_run_longer_than_the_timeout_is_stored_as_reported_and_flagged_over_timeout()
    {
        await _client.ReportAsync(new { agent_name = "py-slow", status = "success", started_at = Iso(DateTimeOffset.UtcNow.AddMinutes(-10)) });
        (await _client.PutJsonAsync("/api/agents/py-slow/settings", new { timeout_seconds = 20 })).EnsureSuccessStatusCode();
        var started = DateTimeOffset.UtcNow.AddMinutes(-1);

        var slow = await _client.ReportAsync(new { agent_name = "py-slow", status = "success", started_at = Iso(started), completed_at = Iso(started.AddSeconds(28)) });
        var quick = await _client.ReportAsync(new { agent_name = "py-slow", status = "success", started_at = Iso(started), completed_at = Iso(started.AddSeconds(19)) });
        var open = await _client.ReportAsync(new { agent_name = "py-slow", started_at = Iso(started) });
        var completed = await _client.PostExpectAsync($"/api/executions/{open["id"]}/complete", new { status = "success", completed_at = Iso(started.AddSeconds(21)) }, 200);

        Assert.Equal(("success", 28000L, true), ((string)slow["status"]!, (long)slow["duration_ms"]!, (bool)slow["over_timeout"]!));
        Assert.False((bool)quick["over_timeout"]!);
        Assert.Equal(("success", true), ((string)completed["status"]!, (bool)completed["over_timeout"]!));
        var agent = await _client.GetNodeAsync("/api/agents/py-slow");
        Assert.Equal(("ok", "Last run success, after 21 s: over its 20 s timeout."), ((string)agent["health"]!, (string)agent["health_reason"]!));
    }

    [Fact]
    public async Task External_proposals_expire_after_the_agents_ttl_and_need_a_successful_run()
    {
        await _client.ReportAsync(new { agent_name = "py-agent", status = "success" });
        (await _client.PutJsonAsync("/api/agents/py-agent/settings", new { config = new { proposal_ttl_hours = 2 } })).EnsureSuccessStatusCode();
        var completedAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        var run = await _client.ReportAsync(new
        {
            agent_name = "py-agent",
            status = "success",
            started_at = Iso(completedAt.AddSeconds(-1)),
            completed_at = Iso(completedAt),
            proposals = new[] { new { type = "match", title = "Soup for Ana" } },
        });
        var proposal = (await _client.GetNodeAsync("/api/proposals?agent_name=py-agent"))["items"]!.AsArray().Single()!;
        Assert.Equal(Iso(completedAt.AddHours(2)), Iso(DateTimeOffset.Parse((string)proposal["expires_at"]!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal((string?)run["id"], (string?)proposal["execution_id"]);

        foreach (var status in new[] { "failed", "timeout", "cancelled" })
        {
            var refused = await _client.PostExpectAsync("/api/executions", new { agent_name = "py-agent", status, proposals = new[] { new { type = "match", title = "x" } } }, 400);
            Assert.NotNull(refused["errors"]!["proposals"]);
        }
        var open = await _client.ReportAsync(new { agent_name = "py-agent" });
        await _client.PostExpectAsync($"/api/executions/{open["id"]}/complete", new { status = "failed", proposals = new[] { new { type = "match", title = "x" } } }, 400);
        Assert.Equal(1, _db.Scalar("SELECT COUNT(*) FROM proposals"));
    }
}
