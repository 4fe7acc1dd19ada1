using System.Net;
using AgentLedger.Tests.Infrastructure;
using static AgentLedger.Tests.Infrastructure.Api;

namespace AgentLedger.Tests.Http;

public sealed class ExecutionListTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly LedgerFactory _host;
    private readonly HttpClient _client;

    public ExecutionListTests()
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
    public async Task Cursor_paging_returns_every_execution_once_newest_first()
    {
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        for (var i = 0; i < 23; i++)
        {
            // Pairs share a started_at so the tie-breaker is exercised.
            await _client.ReportAsync(new { agent_name = "ext", started_at = Iso(start.AddMinutes(i / 2)), status = i % 5 == 0 ? "failed" : "success" });
        }

        var seen = new List<string>();
        var starts = new List<DateTimeOffset>();
        string? cursor = null;
        do
        {
            var page = await _client.GetNodeAsync($"/api/agents/ext/executions?limit=5{(cursor is null ? "" : $"&cursor={cursor}")}");
            var items = page["items"]!.AsArray();
            Assert.InRange(items.Count, 1, 5);
            seen.AddRange(items.Select(x => (string)x!["id"]!));
            starts.AddRange(items.Select(x => DateTimeOffset.Parse((string)x!["started_at"]!, System.Globalization.CultureInfo.InvariantCulture)));
            cursor = (string?)page["next_cursor"];
        }
        while (cursor is not null);

        Assert.Equal(23, seen.Count);
        Assert.Equal(23, seen.Distinct().Count());
        Assert.Equal(starts.OrderByDescending(s => s), starts);

        var failed = await _client.GetNodeAsync("/api/agents/ext/executions?status=failed");
        Assert.Equal(5, failed["items"]!.AsArray().Count);
        Assert.All(failed["items"]!.AsArray(), x => Assert.Equal("failed", (string?)x!["status"]));

        var ranged = await _client.GetNodeAsync($"/api/agents/ext/executions?from={Uri.EscapeDataString(Iso(start.AddMinutes(2)))}&to={Uri.EscapeDataString(Iso(start.AddMinutes(4)))}");
        Assert.Equal(4, ranged["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task External_run_started_then_completed_records_its_proposals()
    {
        var started = await _client.ReportAsync(new { agent_name = "py-agent", metadata = new { version = "1.2" } });
        Assert.Equal("running", (string?)started["status"]);
        Assert.Equal("external", (string?)started["trigger"]);

        var completed = await _client.PostExpectAsync($"/api/executions/{started["id"]}/complete", new
        {
            status = "success",
            proposals = new[] { new { type = "replenishment", title = "Order rice", explanation = "Below threshold.", inputs_used = new[] { "inv-1" }, data = new { qty = 5 } } },
            proposals_created = 3,
            resources_processed = 40,
            metrics = new { items_checked = 40.0 },
        }, 200);

        Assert.Equal("success", (string?)completed["status"]);
        Assert.Equal(3, (int)completed["proposals_created"]!);
        Assert.Equal("1.2", (string?)completed["metadata"]!["version"]);
        var proposals = await _client.GetNodeAsync("/api/proposals?agent_name=py-agent");
        var proposal = proposals["items"]![0]!;
        Assert.Equal("Order rice", (string?)proposal["title"]);
        Assert.Equal("inv-1", (string?)proposal["inputs_used"]![0]);
        Assert.Equal(5, (int)proposal["data"]!["qty"]!);
        Assert.Equal((string?)started["id"], (string?)proposal["execution_id"]);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/api/proposals/{proposal["id"]}")).StatusCode);
    }

    [Fact]
    public async Task Runs_of_the_runner_cannot_be_completed_over_http()
    {
        (await _client.SetConfigAsync("scripted", new { config = new { outcome = "block" } })).EnsureSuccessStatusCode();
        var accepted = await _client.PostExpectAsync("/api/agents/scripted/run", new { }, 202);

        var response = await _client.PostAsync($"/api/executions/{accepted["execution_id"]}/complete", Json(new { status = "success" }));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }
}
