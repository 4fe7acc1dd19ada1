using AgentLedger.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static AgentLedger.Tests.Infrastructure.Api;

namespace AgentLedger.Tests.Http;

public sealed class InsightsTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(Now);
    private readonly LedgerFactory _host;
    private readonly HttpClient _client;

    public InsightsTests()
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
    public async Task Thirty_failures_with_three_underlying_errors_make_exactly_three_groups()
    {
        var random = new Random(3);
        var templates = new Func<int, (string Type, string Message)>[]
        {
            i => ("HttpRequestException", $"GET https://offers.example/api/v2/offers/{random.Next(1000, 9999)} returned 502 after {random.Next(100, 900)} ms"),
            i => ("KeyNotFoundException", $"Member '{Guid.NewGuid()}' not found in location \"Pantry {i}\""),
            i => ("IOException", $"Could not read /var/lib/commons/cache/{random.Next(1, 99)}/listings.json: disk quota 0x{random.Next():x} exceeded"),
        };
        var expected = new int[3];
        for (var i = 0; i < 30; i++)
        {
            var kind = i % 7 == 0 ? 2 : i % 2;
            expected[kind]++;
            var (type, message) = templates[kind](i);
            await _client.ReportAsync(new { agent_name = "flaky", status = "failed", error_type = type, error_message = message, started_at = Iso(Now.AddMinutes(-300 + i)) });
        }
        await _client.ReportAsync(new { agent_name = "flaky", status = "success", started_at = Iso(Now.AddMinutes(-5)) });

        var errors = await _client.GetNodeAsync("/api/agents/flaky/errors?window=24h");

        Assert.Equal(30, (long)errors["failures"]!);
        var groups = errors["items"]!.AsArray();
        Assert.Equal(3, groups.Count);
        Assert.Equal(expected.OrderBy(x => x), groups.Select(g => (int)(long)g!["count"]!).OrderBy(x => x));
        Assert.Equal(1.0, groups.Sum(g => (double)g!["share_of_failures"]!), 9);
        var http = groups.Single(g => (string?)g!["error_type"] == "HttpRequestException")!;
        Assert.Equal("GET <url> returned <n> after <n> ms", (string?)http["normalized_message"]);
        Assert.Equal(16, ((string)http["fingerprint"]!).Length);
        var lastSeen = groups.Select(g => DateTimeOffset.Parse((string)g!["last_seen"]!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(lastSeen.OrderByDescending(t => t), lastSeen);
    }

    [Fact]
    public async Task Three_failures_in_a_row_make_an_agent_failing_and_a_success_makes_it_ok()
    {
        for (var i = 3; i >= 1; i--)
        {
            await _client.ReportAsync(new { agent_name = "ext", status = "failed", error_message = $"boom {i}", started_at = Iso(Now.AddMinutes(-i)) });
        }
        var stats = (await _client.GetNodeAsync("/api/agents/ext/stats"))["stats"]!;
        Assert.Equal("failing", (string?)stats["health"]);
        Assert.Contains("last 3 runs failed", (string?)stats["health_reason"]);
        Assert.Equal("failing", (string?)(await _client.GetNodeAsync("/api/agents/ext"))["health"]);

        await _client.ReportAsync(new { agent_name = "ext", status = "success", started_at = Iso(Now) });
        Assert.Equal("ok", (string?)(await _client.GetNodeAsync("/api/agents/ext/stats"))["stats"]!["health"]);
    }

    [Fact]
    public async Task A_run_left_running_past_its_timeout_is_stuck_then_abandoned()
    {
        var run = await _client.ReportAsync(new { agent_name = "slowpoke", started_at = Iso(Now) });
        (await _client.PutJsonAsync("/api/agents/slowpoke/settings", new { timeout_seconds = 60 })).EnsureSuccessStatusCode();
        Assert.Equal("ok", (string?)(await _client.GetNodeAsync("/api/agents/slowpoke"))["health"]);

        _time.Advance(TimeSpan.FromSeconds(90));
        var agent = await _client.GetNodeAsync("/api/agents/slowpoke");
        Assert.Equal("stuck", (string?)agent["health"]);
        Assert.Contains("longer than its 60 s bound", (string?)agent["health_reason"]);

        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(10)); // past twice the bound; the watchdog beats every 10 s
        }
        for (var i = 0; i < 100 && _db.Scalar("SELECT COUNT(*) FROM agent_executions WHERE status = 'abandoned'") == 0; i++)
        {
            await Task.Delay(25);
        }
        Assert.Equal("abandoned", (string?)(await _client.GetNodeAsync($"/api/executions/{run["id"]}"))["status"]);
        Assert.NotEqual("stuck", (string?)(await _client.GetNodeAsync("/api/agents/slowpoke"))["health"]);
    }

    [Fact]
    public async Task A_scheduled_agent_that_stops_succeeding_goes_stale_and_a_disabled_one_says_so()
    {
        await _client.PostExpectAsync("/api/agents/scripted/run?wait=true", new { }, 200);
        // From now on its runs fail, but the failing threshold is high: what shows is that successes stopped.
        (await _client.PutJsonAsync("/api/agents/scripted/settings", new { interval_seconds = 60, config = new { outcome = "fail", failing_after = 100 } })).EnsureSuccessStatusCode();
        Assert.Equal("ok", (string?)(await _client.GetNodeAsync("/api/agents/scripted"))["health"]);

        for (var i = 0; i < 24; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            await Task.Delay(20);
        }

        var agent = await _client.GetNodeAsync("/api/agents/scripted");
        Assert.Equal("stale", (string?)agent["health"]);
        Assert.Contains("No successful run for 4 min", (string?)agent["health_reason"]);
        (await _client.PutJsonAsync("/api/agents/scripted/settings", new { enabled = false })).EnsureSuccessStatusCode();
        Assert.Equal("disabled", (string?)(await _client.GetNodeAsync("/api/agents/scripted"))["health"]);
    }

    [Fact]
    public async Task Compare_previous_deltas_equal_the_difference_of_the_two_windows()
    {
        var random = new Random(5);
        for (var i = 0; i < 40; i++)
        {
            await _client.ReportAsync(new
            {
                agent_name = "ext",
                status = random.Next(5) == 0 ? "failed" : "success",
                started_at = Iso(Now.AddHours(-random.Next(1, 47)).AddMinutes(-random.Next(60))),
                completed_at = (string?)null,
                proposals_created = random.Next(3),
            });
        }

        var compared = (await _client.GetNodeAsync("/api/agents/ext/stats?window=24h&compare=previous"))["stats"]!;
        var current = compared["window"]!;
        var previous = compared["previous"]!;
        var deltas = compared["deltas"]!;

        Assert.Equal(Iso(Now.AddHours(-48)), (string?)previous["from"]);
        Assert.Equal(Iso(Now.AddHours(-24)), (string?)previous["to"]);
        Assert.Equal((long)current["runs"]! - (long)previous["runs"]!, (long)deltas["runs"]!);
        Assert.Equal((double)current["success_rate"]! - (double)previous["success_rate"]!, (double)deltas["success_rate"]!, 9);
        Assert.Equal((long)current["proposals_created"]! - (long)previous["proposals_created"]!, (long)deltas["proposals_created"]!);
        Assert.Equal(40, (long)current["runs"]! + (long)previous["runs"]!);
        Assert.Null((await _client.GetNodeAsync("/api/agents/ext/stats?window=24h"))["stats"]!["previous"]);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await _client.GetAsync("/api/agents/stats?compare=last-year")).StatusCode);
    }

    [Fact]
    public async Task Outcomes_report_review_latency_expiry_and_cost_per_approved_proposal()
    {
        await _client.ReportAsync(new
        {
            agent_name = "costly",
            status = "success",
            started_at = Iso(Now.AddHours(-3)),
            metrics = new { cost = 1.5, tokens = 3000 },
            proposals = new[] { new { type = "m", title = "a" }, new { type = "m", title = "b" }, new { type = "m", title = "c" } },
        });
        var ids = (await _client.GetNodeAsync("/api/proposals?agent_name=costly"))["items"]!.AsArray().Select(p => (string)p!["id"]!).ToList();
        _time.Advance(TimeSpan.FromMinutes(10));
        await _client.PostExpectAsync($"/api/proposals/{ids[0]}/approve", new { }, 200);
        _time.Advance(TimeSpan.FromMinutes(20));
        await _client.PostExpectAsync($"/api/proposals/{ids[1]}/reject", new { }, 200);

        var outcomes = (await _client.GetNodeAsync("/api/agents/costly/stats"))["stats"]!["outcomes"]!;

        Assert.Equal(3, (long)outcomes["proposals_created"]!);
        Assert.Equal(2, (long)outcomes["proposals_decided"]!);
        Assert.InRange((double)outcomes["review_latency_seconds_p95"]!, 30 * 60 * 0.98, 30 * 60 * 1.02);
        Assert.InRange((double)outcomes["review_latency_seconds_p50"]!, 10 * 60 * 0.98, 10 * 60 * 1.02);
        Assert.Equal(0.0, (double)outcomes["expired_unreviewed_share"]!);
        Assert.Equal(1.5, (double)outcomes["cost_per_approved_proposal"]!);
        Assert.Equal(3000, (double)outcomes["tokens_per_approved_proposal"]!);
    }
}
