using System.Net;
using AgentLedger.Tests.Infrastructure;

namespace AgentLedger.Tests.MultiNode;

/// <summary>Two server processes on one database: a key revoked through one is refused by the other on its next request.</summary>
public sealed class KeyRevocationTests
{
    [Fact]
    public async Task A_key_revoked_on_one_node_is_refused_on_the_next_request_to_the_other()
    {
        using var db = new TestDatabase();
        var nodes = await ServerProcess.StartManyAsync(db, ["node-a", "node-b"]);
        try
        {
            var created = await nodes[0].Client.PostExpectAsync("/api/keys", new { name = "roaming", role = "report", agents = new[] { "field-*" } }, 201);
            using var onB = new HttpClient { BaseAddress = nodes[1].Address };
            onB.DefaultRequestHeaders.Add("X-Api-Key", (string)created["key"]!);
            Assert.Equal(HttpStatusCode.Created, (await onB.PostJsonAsync("/api/executions", new { agent_name = "field-a", status = "success" })).StatusCode);

            Assert.Equal(HttpStatusCode.NoContent, (await nodes[0].Client.DeleteAsync($"/api/keys/{created["id"]}")).StatusCode);

            var before = db.RowCounts();
            var refused = await onB.PostJsonAsync("/api/executions", new { agent_name = "field-a", status = "success" });
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal(before, db.RowCounts());
            var audit = (await nodes[1].Client.GetNodeAsync("/api/audit?action=key.revoke"))["items"]!.AsArray();
            Assert.Equal((string?)created["id"], (string?)Assert.Single(audit)!["resource_id"]);
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
