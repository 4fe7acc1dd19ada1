using System.Globalization;
using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AgentLedger.Tests.MultiNode;

/// <summary>Three server processes on one database, all scheduling the same agent every second.</summary>
public sealed class RunOnceTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> FastHeartbeat = new() { ["HeartbeatSeconds"] = "1" };

    [Fact]
    public async Task Each_slot_runs_exactly_once_and_a_killed_node_leaves_its_run_abandoned()
    {
        using var db = new TestDatabase();
        var nodes = await ServerProcess.StartManyAsync(db, ["node-a", "node-b", "node-c"], FastHeartbeat);
        try
        {
            (await nodes[0].Client.PutJsonAsync("/api/agents/scripted/settings", new { interval_seconds = 1, config = new { delay_ms = 600 } })).EnsureSuccessStatusCode();
            var started = DateTime.UtcNow;

            // Kill whichever node is in the middle of a run (the first node to tick after a slot tends to win
            // them all). If the run finished in the instant between the look and the kill, its outcome
            // stands, and the next run in progress (on a surviving node) is killed instead.
            string? killed = null, killedNode = null;
            var survivors = nodes.ToList();
            while (killed is null && survivors.Count > 1 && DateTime.UtcNow - started < TimeSpan.FromSeconds(15))
            {
                if (DateTime.UtcNow - started > TimeSpan.FromSeconds(5)
                    && db.Query("SELECT id FROM agent_executions WHERE status = 'running'") is { } value)
                {
                    var id = TestDatabase.ReadUuid(value);
                    var node = (string)db.Query($"SELECT node FROM agent_executions WHERE id = {TestDatabase.UuidLiteral(id)}")!;
                    var target = survivors.Single(n => n.Node == node);
                    target.Kill();
                    survivors.Remove(target);
                    if ((string?)db.Query($"SELECT status FROM agent_executions WHERE id = {TestDatabase.UuidLiteral(id)}") == "running")
                    {
                        (killed, killedNode) = (id.ToString(), node);
                    }
                }
                await Task.Delay(20);
            }
            Assert.True(killed is not null, "no run was ever seen in progress");
            var killedAt = DateTime.UtcNow;
            var client = survivors[0].Client;
            while (DateTime.UtcNow - started < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(200);
            }
            (await client.PutJsonAsync("/api/agents/scripted/settings", new { enabled = false })).EnsureSuccessStatusCode();

            // The survivors abandon the dead node's run once three heartbeats are missed.
            JsonNode? victim = null;
            for (var i = 0; i < 100 && (string?)victim?["status"] != "abandoned"; i++)
            {
                await Task.Delay(100);
                victim = await client.GetNodeAsync($"/api/executions/{killed}");
            }
            Assert.Equal("abandoned", (string?)victim!["status"]);
            Assert.Equal(killedNode, (string?)victim["node"]);
            for (var i = 0; i < 50 && db.Scalar("SELECT COUNT(*) FROM agent_executions WHERE status = 'running'") > 0; i++)
            {
                await Task.Delay(100);
            }

            var runs = (await client.GetNodeAsync("/api/agents/scripted/executions?limit=500"))["items"]!.AsArray()
                .Select(r => (Slot: DateTimeOffset.Parse((string)r!["scheduled_for"]!, CultureInfo.InvariantCulture), Node: (string)r["node"]!, Status: (string)r["status"]!))
                .OrderBy(r => r.Slot)
                .ToList();
            var story = $"killed {killedNode} at +{(killedAt - started).TotalSeconds:F1} s; runs (slot offset, node, status): "
                + string.Join(", ", runs.Select(r => $"+{(r.Slot.UtcDateTime - started).TotalSeconds:F1} {r.Node} {r.Status}"));
            output.WriteLine(story);

            Assert.True(runs.Count >= 12, $"only {runs.Count} scheduled runs in 20 s");
            Assert.Equal(runs.Count, runs.Select(r => r.Slot).Distinct().Count());
            for (var i = 1; i < runs.Count; i++)
            {
                Assert.True(runs[i].Slot - runs[i - 1].Slot == TimeSpan.FromSeconds(1), $"slot {runs[i - 1].Slot:O} is followed by {runs[i].Slot:O}");
            }
            Assert.All(runs, r => Assert.Contains(r.Status, new[] { "success", "abandoned" }));
            Assert.Single(runs, r => r.Status == "abandoned");
            Assert.True(runs.Count(r => survivors.Any(n => n.Node == r.Node) && r.Slot.UtcDateTime > killedAt) >= 5, "the surviving nodes did not carry on: " + story);
            Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM agent_executions WHERE scheduled_for IS NOT NULL AND node IS NULL"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
    }
}
