using System.Net;
using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static AgentLedger.Tests.Infrastructure.Api;

namespace AgentLedger.Tests.Http;

/// <summary>Stats computed from the ledger, with the clock under the test's control.</summary>
public sealed class StatsTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 34, 56, 789, TimeSpan.Zero);
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(Now);
    private readonly LedgerFactory _host;
    private readonly HttpClient _client;

    public StatsTests()
    {
        _host = new LedgerFactory(_db, _time);
        _client = _host.CreateAuthorizedClient();
    }

    public void Dispose()
    {
        _host.Dispose();
        _db.Dispose();
    }

    private Task<JsonNode> Report(string agent, TimeSpan ago, string status = "success", int proposals = 0, long durationMs = 1000, string? error = null) =>
        _client.ReportAsync(new Dictionary<string, object?>
        {
            ["agent_name"] = agent,
            ["started_at"] = Iso(Now - ago),
            ["completed_at"] = Iso(Now - ago + TimeSpan.FromMilliseconds(durationMs)),
            ["status"] = status,
            ["proposals_created"] = proposals,
            ["error_message"] = error,
        });

    [Fact]
    public async Task Agent_with_no_executions_has_null_last_run_zero_counts_and_no_error()
    {
        var all = await _client.GetNodeAsync("/api/agents/stats");
        var stats = all.Stats("idle");

        Assert.Equal("idle", (string?)stats["agent_name"]);
        Assert.Null(stats["last_run"]);
        Assert.Null(stats["last_status"]);
        Assert.Null(stats["last_error"]);
        Assert.Null(stats["last_success_at"]);
        Assert.Equal(0, (long)stats["proposals_created_30d"]!);
        Assert.Equal(0, (long)stats["success_count_30d"]!);
        Assert.Equal(0, (long)stats["failure_count_30d"]!);
        Assert.Equal(0, (long)stats["total_runs"]!);
        Assert.Equal(0, (long)stats["error_count"]!);
        Assert.Null(stats["avg_duration_seconds"]);
        Assert.Equal(0, (long)stats["window"]!["runs"]!);
        Assert.Null(stats["window"]!["duration_ms"]!["p95"]);
        Assert.Null(stats["window"]!["approval_rate"]);
        // Every contract field is present even without data.
        foreach (var field in new[] { "enabled", "last_duration_ms", "last_error_at", "consecutive_failures", "proposals_created" })
        {
            Assert.True(stats.AsObject().ContainsKey(field), field);
        }
    }

    [Fact]
    public async Task Last_run_is_the_newest_started_at_and_counts_are_exact_over_30_days()
    {
        await Report("ext", TimeSpan.FromDays(3), proposals: 2);
        await Report("ext", TimeSpan.FromMinutes(5), proposals: 1);
        await Report("ext", TimeSpan.FromHours(2), status: "failed", error: "boom");
        await Report("ext", TimeSpan.FromDays(29) + TimeSpan.FromHours(23), proposals: 4);
        await Report("ext", TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1), proposals: 100); // just outside 30 days
        await Report("ext", TimeSpan.FromDays(35), status: "failed");

        var stats = (await _client.GetNodeAsync("/api/agents/stats")).Stats("ext");

        Assert.Equal(Iso(Now - TimeSpan.FromMinutes(5)), (string?)stats["last_run"]);
        Assert.Equal("success", (string?)stats["last_status"]);
        Assert.Null(stats["last_error"]); // the newest run succeeded
        Assert.Equal(Iso(Now - TimeSpan.FromHours(2) + TimeSpan.FromSeconds(1)), (string?)stats["last_error_at"]);
        Assert.Equal(7, (long)stats["proposals_created_30d"]!);
        Assert.Equal(3, (long)stats["success_count_30d"]!);
        Assert.Equal(1, (long)stats["failure_count_30d"]!);
        Assert.Equal(6, (long)stats["total_runs"]!);
        Assert.Equal(107, (long)stats["proposals_created"]!);
        Assert.Equal(2, (long)stats["error_count"]!);
        Assert.Equal(1.0, (double)stats["avg_duration_seconds"]!);
        Assert.Equal(0, (long)stats["consecutive_failures"]!);
        Assert.Equal(0.75, (double)stats["window"]!["success_rate"]!);
    }

    [Theory]
    [InlineData("24h", 1, 0)]
    [InlineData("7d", 2, 0)]
    [InlineData("30d", 2, 0)]
    [InlineData("60d", 3, 1)]
    [InlineData("400d", 3, 1)]
    public async Task Runs_2_and_40_days_old_count_in_exactly_the_windows_that_contain_them(string window, long runs, long failures)
    {
        await Report("ext", TimeSpan.FromHours(1));
        await Report("ext", TimeSpan.FromDays(2));
        await Report("ext", TimeSpan.FromDays(40), status: "timeout");

        var stats = (await _client.GetNodeAsync($"/api/agents/stats?window={window}")).Stats("ext");

        Assert.Equal(window, (string?)stats["window"]!["name"]);
        Assert.Equal(runs, (long)stats["window"]!["runs"]!);
        Assert.Equal(failures, (long)stats["window"]!["failure_count"]!);
        Assert.Equal(Iso(Now), (string?)stats["window"]!["to"]);
        // The 30-day fields ignore the window.
        Assert.Equal(2, (long)stats["success_count_30d"]!);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0d")]
    [InlineData("9999d")]
    [InlineData("401d")]
    [InlineData("7w")]
    [InlineData("-1d")]
    public async Task Invalid_window_is_a_400_problem(string window)
    {
        foreach (var url in new[] { $"/api/agents/stats?window={window}", $"/api/agents/idle/stats?window={window}", $"/api/agents/idle/history?window={window}" })
        {
            var response = await _client.GetAsync(url);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("window", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Window_moves_with_the_clock()
    {
        await Report("ext", TimeSpan.FromHours(23));
        var before = (await _client.GetNodeAsync("/api/agents/stats?window=24h")).Stats("ext");
        Assert.Equal(1, (long)before["window"]!["runs"]!);

        _time.Advance(TimeSpan.FromHours(2));

        var after = (await _client.GetNodeAsync("/api/agents/stats?window=24h")).Stats("ext");
        Assert.Equal(0, (long)after["window"]!["runs"]!);
        Assert.Equal(1, (long)after["total_runs"]!);
    }

    [Fact]
    public async Task Stats_are_identical_after_the_host_restarts_on_the_same_file()
    {
        var random = new Random(7);
        for (var i = 0; i < 60; i++)
        {
            var status = random.Next(10) switch { 0 => "failed", 1 => "timeout", 2 => "cancelled", _ => "success" };
            await Report(i % 2 == 0 ? "ext-a" : "ext-b", TimeSpan.FromMinutes(random.Next(1, 60 * 24 * 45)), status, random.Next(4), random.Next(5, 90_000));
        }
        var running = await _client.ReportAsync(new { agent_name = "ext-a", started_at = Iso(Now - TimeSpan.FromMinutes(3)) });
        await _client.ReportAsync(new { agent_name = "ext-a", started_at = Iso(Now - TimeSpan.FromDays(6)), status = "success", proposals = new[] { new { type = "match", title = "A" }, new { type = "match", title = "B" } } });
        var proposal = (await _client.GetNodeAsync("/api/proposals?agent_name=ext-a&status=pending&limit=1"))["items"]![0]!;
        await _client.PostExpectAsync($"/api/proposals/{proposal["id"]}/approve", new { decided_by = "sam" }, 200);

        var urls = new[] { "/api/agents/stats", "/api/agents/stats?window=7d", "/api/agents/stats?window=400d", "/api/agents/ext-a/history?window=3d" };
        var before = new List<string>();
        foreach (var url in urls)
        {
            before.Add((await _client.GetNodeAsync(url)).ToJsonString());
        }

        _host.Dispose();
        using var restarted = new LedgerFactory(_db, _time);
        var client = restarted.CreateClient();
        for (var i = 0; i < urls.Length; i++)
        {
            Assert.Equal(before[i], (await client.GetNodeAsync(urls[i])).ToJsonString());
        }
        // The externally reported run in progress is not abandoned by the restart.
        Assert.Equal("running", (string?)(await client.GetNodeAsync($"/api/executions/{running["id"]}"))["status"]);
    }

    [Fact]
    public async Task Duration_percentiles_agree_with_exact_percentiles_of_the_raw_durations()
    {
        var random = new Random(42);
        var durations = new List<long>();
        for (var i = 0; i < 400; i++)
        {
            // Skewed: most runs are quick, a few take minutes; spread over 20 days so rollups and raw edges both count.
            var duration = (long)Math.Exp(random.NextDouble() * Math.Log(600_000)) + 1;
            durations.Add(duration);
            await Report("ext", TimeSpan.FromMinutes(random.Next(1, 60 * 24 * 20)), durationMs: duration);
        }
        durations.Sort();

        var window = (await _client.GetNodeAsync("/api/agents/ext/stats"))["stats"]!["window"]!;

        foreach (var (field, p) in new[] { ("p50", 0.50), ("p95", 0.95), ("p99", 0.99) })
        {
            var exact = durations[(int)Math.Ceiling(p * durations.Count) - 1];
            var estimate = (double)window["duration_ms"]![field]!;
            Assert.InRange(Math.Abs(estimate - exact) / exact, 0, 0.02);
        }
        Assert.Equal(durations[^1], (long)window["duration_ms"]!["max"]!);
        Assert.Equal(durations.Average(), (double)window["duration_ms"]!["avg"]!, 6);
    }

    [Theory]
    [InlineData(10)]          // inside the raw edge of the window
    [InlineData(60 * 24 * 3)] // inside whole rollup buckets
    public async Task One_run_of_2085_ms_reports_2085_ms_as_every_percentile(int minutesAgo)
    {
        await Report("solo", TimeSpan.FromMinutes(minutesAgo), durationMs: 2_085);

        var durations = (await _client.GetNodeAsync("/api/agents/solo/stats"))["stats"]!["window"]!["duration_ms"]!;
        var all = (await _client.GetNodeAsync("/api/agents/stats")).Stats("solo")["window"]!["duration_ms"]!;
        var history = (await _client.GetNodeAsync("/api/agents/solo/history?window=7d&bucket=1d"))["points"]!.AsArray()
            .Single(p => (long)p!["runs"]! == 1)!["duration_ms"]!;

        foreach (var field in new[] { "p50", "p95", "p99", "max" })
        {
            Assert.Equal(2_085, (double)durations[field]!);
            Assert.Equal(2_085, (double)all[field]!);
        }
        Assert.Equal(2_085, (double)history["p50"]!);
        Assert.Equal(2_085, (double)history["p95"]!);
        Assert.Equal(2_085, (double)history["max"]!);
    }

    [Fact]
    public async Task Every_percentile_lies_within_the_windows_min_and_max()
    {
        var random = new Random(7);
        var durations = new List<long>();
        for (var i = 0; i < 30; i++)
        {
            var duration = 1_000 + random.Next(0, 50);
            durations.Add(duration);
            await Report("tight", TimeSpan.FromMinutes(random.Next(1, 60 * 24 * 10)), durationMs: duration);
        }

        var window = (await _client.GetNodeAsync("/api/agents/tight/stats"))["stats"]!["window"]!["duration_ms"]!;

        foreach (var field in new[] { "p50", "p95", "p99" })
        {
            Assert.InRange((double)window[field]!, durations.Min(), durations.Max());
        }
        Assert.Equal(durations.Max(), (long)window["max"]!);
    }

    [Fact]
    public async Task Approving_and_rejecting_proposals_changes_the_rates_and_a_second_decision_conflicts()
    {
        await _client.ReportAsync(new
        {
            agent_name = "matcher",
            started_at = Iso(Now - TimeSpan.FromHours(1)),
            status = "success",
            proposals = new[]
            {
                new { type = "match", title = "Bikes for Ana" },
                new { type = "match", title = "Soup for Ben" },
                new { type = "match", title = "Tools for Cy" },
            },
        });
        var ids = (await _client.GetNodeAsync("/api/proposals?agent_name=matcher"))["items"]!.AsArray().Select(p => (string)p!["id"]!).ToList();
        Assert.Equal(3, ids.Count);

        var initial = (await _client.GetNodeAsync("/api/agents/matcher/stats"))["stats"]!["window"]!;
        Assert.Equal(3, (long)initial["proposals_pending"]!);
        Assert.Null(initial["approval_rate"]);

        var approved = await _client.PostExpectAsync($"/api/proposals/{ids[0]}/approve", new { decided_by = "ana", reason = "fits" }, 200);
        Assert.Equal("approved", (string?)approved["status"]);
        Assert.Equal("ana", (string?)approved["decided_by"]);
        await _client.PostExpectAsync($"/api/proposals/{ids[1]}/approve", new { }, 200);
        await _client.PostExpectAsync($"/api/proposals/{ids[2]}/reject", new { reason = "too far" }, 200);

        var window = (await _client.GetNodeAsync("/api/agents/matcher/stats"))["stats"]!["window"]!;
        Assert.Equal(2, (long)window["proposals_approved"]!);
        Assert.Equal(1, (long)window["proposals_rejected"]!);
        Assert.Equal(0, (long)window["proposals_pending"]!);
        Assert.Equal(3, (long)window["proposals_decided"]!);
        Assert.Equal(2.0 / 3, (double)window["approval_rate"]!, 9);
        Assert.Equal(1.0 / 3, (double)window["rejection_rate"]!, 9);

        var again = await _client.PostAsync($"/api/proposals/{ids[0]}/approve", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _client.PostAsync($"/api/proposals/{ids[2]}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.PostAsync($"/api/proposals/{Guid.NewGuid()}/approve", null)).StatusCode);
    }

    [Fact]
    public async Task Timeout_from_settings_ends_a_run_as_timeout()
    {
        (await _client.SetConfigAsync("scripted", new { timeout_seconds = 5, config = new { outcome = "block" } })).EnsureSuccessStatusCode();
        var run = _client.PostExpectAsync("/api/agents/scripted/run?wait=true", new { }, 200);

        // The runner arms its timeout just after the running row is written: step the clock until it fires.
        for (var i = 0; i < 200 && !run.IsCompleted; i++)
        {
            if (_db.Scalar("SELECT COUNT(*) FROM agent_executions WHERE status = 'running'") > 0)
            {
                _time.Advance(TimeSpan.FromSeconds(1));
            }
            await Task.Delay(25);
        }
        var finished = await run;

        Assert.Equal("timeout", (string?)finished["status"]);
        Assert.InRange((long)finished["duration_ms"]!, 5000, 6000);
        var stats = (await _client.GetNodeAsync("/api/agents/scripted/stats"))["stats"]!;
        Assert.Equal(1, (long)stats["failure_count_30d"]!);
        Assert.Equal("timeout", (string?)stats["last_status"]);
    }

    [Fact]
    public async Task History_returns_dense_hourly_points_from_the_rollups()
    {
        await Report("ext", TimeSpan.FromMinutes(30), durationMs: 2000, proposals: 2);
        await Report("ext", TimeSpan.FromMinutes(40), status: "failed", durationMs: 4000);
        await Report("ext", TimeSpan.FromHours(5));

        var history = await _client.GetNodeAsync("/api/agents/ext/history?window=24h&bucket=1h");

        Assert.Equal("1h", (string?)history["bucket"]);
        var points = history["points"]!.AsArray();
        Assert.Equal(25, points.Count); // 24 whole hours plus the current partial one
        var current = points.Single(p => (string?)p!["start"] == Iso(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero)))!;
        Assert.Equal(1, (long)current["runs"]!); // 12:04:56, the 11:54:56 run is in the 11:00 bucket
        var previous = points.Single(p => (string?)p!["start"] == Iso(new DateTimeOffset(2026, 11, 20, 11, 0, 0, TimeSpan.Zero)))!;
        Assert.Equal(1, (long)previous["failure_count"]!);
        Assert.Equal(3, points.Sum(p => (long)p!["runs"]!));
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/api/agents/ext/history?bucket=5m")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/agents/nobody/history")).StatusCode);
    }
}
