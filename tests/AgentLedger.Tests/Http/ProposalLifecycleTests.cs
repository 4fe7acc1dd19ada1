using AgentLedger.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AgentLedger.Tests.Http;

public sealed class ProposalLifecycleTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero));
    private readonly LedgerFactory _host;
    private readonly HttpClient _client;

    public ProposalLifecycleTests()
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
    public async Task A_still_pending_proposal_is_not_proposed_again()
    {
        (await _client.SetConfigAsync("scripted", new { config = new { proposals = 3 } })).EnsureSuccessStatusCode();
        var first = await _client.PostExpectAsync("/api/agents/scripted/run?wait=true", new { }, 200);
        Assert.Equal(3, (int)first["proposals_created"]!);
        Assert.Equal(0, (int)first["metadata"]!["skipped_duplicates"]!);

        // The scripted agent cites input-1 … input-N: the same inputs again are duplicates while pending.
        var pending = (await _client.GetNodeAsync("/api/proposals?agent_name=scripted"))["items"]!.AsArray();
        await _client.PostExpectAsync($"/api/proposals/{pending.Single(p => (string?)p!["inputs_used"]![0] == "input-1")!["id"]}/reject", new { }, 200);
        (await _client.SetConfigAsync("scripted", new { config = new { proposals = 4 } })).EnsureSuccessStatusCode();
        var second = await _client.PostExpectAsync("/api/agents/scripted/run?wait=true", new { }, 200);

        Assert.Equal(2, (int)second["proposals_created"]!); // input-1 (no longer pending) and input-4
        Assert.Equal(2, (int)second["metadata"]!["skipped_duplicates"]!);
        Assert.True((bool)second["metadata"]!["scripted"]!); // the agent's own metadata is kept
        Assert.Equal(5, _db.Scalar("SELECT COUNT(*) FROM proposals"));
    }

    [Fact]
    public async Task Pending_proposals_expire_after_the_settings_ttl()
    {
        // A long interval keeps the scheduler from adding runs while the clock jumps.
        (await _client.SetConfigAsync("scripted", new { interval_seconds = 30 * 24 * 3600, config = new { proposals = 2, proposal_ttl_hours = 2 } })).EnsureSuccessStatusCode();
        var run = await _client.PostExpectAsync("/api/agents/scripted/run?wait=true", new { }, 200);
        var proposals = (await _client.GetNodeAsync($"/api/proposals?execution_id={run["id"]}"))["items"]!.AsArray();
        Assert.All(proposals, p => Assert.Equal(Api.Iso(_time.GetUtcNow().AddHours(2)), (string?)p!["expires_at"]));
        await _client.PostExpectAsync($"/api/proposals/{proposals[0]!["id"]}/approve", new { }, 200);

        _time.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        for (var i = 0; i < 100 && _db.Scalar("SELECT COUNT(*) FROM proposals WHERE status = 'expired'") == 0; i++)
        {
            await Task.Delay(25);
        }

        var after = await _client.GetNodeAsync($"/api/proposals/{proposals[1]!["id"]}");
        Assert.Equal("expired", (string?)after["status"]);
        Assert.Equal("approved", (string?)(await _client.GetNodeAsync($"/api/proposals/{proposals[0]!["id"]}"))["status"]);
        var window = (await _client.GetNodeAsync("/api/agents/scripted/stats"))["stats"]!["window"]!;
        Assert.Equal(1, (long)window["proposals_expired"]!);
        Assert.Equal(0, (long)window["proposals_pending"]!);
        Assert.Equal(1.0, (double)window["approval_rate"]!);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, (await _client.PostAsync($"/api/proposals/{proposals[1]!["id"]}/approve", null)).StatusCode);
    }

    [Fact]
    public async Task Config_is_merged_and_an_invalid_ttl_is_refused()
    {
        (await _client.SetConfigAsync("scripted", new { config = new { proposals = 2, delay_ms = 5 } })).EnsureSuccessStatusCode();
        var merged = await (await _client.SetConfigAsync("scripted", new { config = new { proposals = 4 } })).ReadNodeAsync();
        Assert.Equal(4, (int)merged["config"]!["proposals"]!);
        Assert.Equal(5, (int)merged["config"]!["delay_ms"]!);

        var refused = await _client.SetConfigAsync("scripted", new { config = new { proposal_ttl_hours = -1 } });
        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, refused.StatusCode);
    }
}
