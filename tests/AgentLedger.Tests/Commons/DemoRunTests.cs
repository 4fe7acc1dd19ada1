using System.Net;
using AgentLedger.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace AgentLedger.Tests.Commons;

/// <summary>The live demo: a fresh server seeds the community and its agents fill the ledger within a minute.</summary>
public sealed class DemoRunTests
{
    [Fact]
    public async Task A_fresh_demo_server_shows_agents_with_runs_and_proposals_within_60_seconds()
    {
        using var db = new TestDatabase();
        using var host = new LedgerFactory(db).WithWebHostBuilder(b => b.UseSetting("AgentLedger:Demo", "true"));
        var client = host.CreateClient();
        var started = DateTime.UtcNow;

        var ran = 0;
        long proposals = 0;
        while (DateTime.UtcNow - started < TimeSpan.FromSeconds(60) && (ran < 4 || proposals == 0))
        {
            await Task.Delay(1000);
            var stats = await client.GetNodeAsync("/api/agents/stats");
            var builtIn = new[] { "mutual-aid-matchmaker", "perishables-dispatcher", "work-party-scheduler", "commons-router", "conquest-of-bread", "inventory-agent" };
            ran = builtIn.Count(a => stats[a]!["stats"]!["last_run"] is not null && (long)stats[a]!["stats"]!["total_runs"]! >= 1);
            proposals = db.Scalar("SELECT COUNT(*) FROM proposals");
        }

        Assert.True(ran >= 4, $"only {ran} built-in agents ran within 60 s");
        Assert.True(proposals > 0, "no proposals within 60 s");
        var agents = await client.GetNodeAsync("/api/agents");
        var inventory = agents["agents"]!.AsArray().Single(a => (string?)a!["name"] == "inventory-agent")!;
        Assert.False((bool)inventory["enabled"]!);
        Assert.Null(inventory["next_scheduled_run"]);
        var matchmaker = agents["agents"]!.AsArray().Single(a => (string?)a!["name"] == "mutual-aid-matchmaker")!;
        Assert.NotNull(matchmaker["next_scheduled_run"]);
        // Every proposal cites the demo records it was made from.
        var sample = (await client.GetNodeAsync("/api/proposals?limit=20"))["items"]!.AsArray();
        Assert.All(sample, p => Assert.NotEmpty(p!["inputs_used"]!.AsArray()));
    }

    [Fact]
    public async Task The_inventory_agent_is_opt_in_but_can_be_forced()
    {
        using var db = new TestDatabase();
        using var host = new LedgerFactory(db).WithWebHostBuilder(b => b.UseSetting("AgentLedger:Demo", "true"));
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", LedgerFactory.ApiKey);

        var refused = await client.PostAsync("/api/agents/inventory-agent/run", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);

        var run = await client.PostExpectAsync("/api/agents/inventory-agent/run?wait=true&force=true", new { }, 200);
        Assert.Equal("success", (string?)run["status"]);
        Assert.True((int)run["proposals_created"]! > 0, run.ToJsonString());
        Assert.True((double)run["metrics"]!["items_checked"]! >= 10);
        var proposals = (await client.GetNodeAsync($"/api/proposals?execution_id={run["id"]}"))["items"]!.AsArray();
        Assert.Contains(proposals, p => (string?)p!["type"] == "replenishment");
        Assert.All(proposals, p => Assert.NotNull(p!["expires_at"]));
    }
}
