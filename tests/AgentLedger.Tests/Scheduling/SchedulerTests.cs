using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static AgentLedger.Tests.Infrastructure.Api;

namespace AgentLedger.Tests.Scheduling;

/// <summary>The scheduler on a fake clock: runs at the interval of the persisted settings, stops when disabled, resumes when enabled.</summary>
public sealed class SchedulerTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(T0);
    private LedgerFactory _host;
    private HttpClient _client;

    public SchedulerTests()
    {
        _host = new LedgerFactory(_db, _time);
        _client = _host.CreateAuthorizedClient();
    }

    public void Dispose()
    {
        _host.Dispose();
        _db.Dispose();
    }

    private long ScheduledRuns(string agent = "scripted") =>
        _db.Scalar($"SELECT COUNT(*) FROM agent_executions WHERE agent_name = '{agent}' AND \"trigger\" = 'schedule' AND status = 'success'");

    /// <summary>Moves the fake clock one scheduler tick at a time, giving each tick's run time to finish.</summary>
    private async Task AdvanceAsync(TimeSpan by, long expectedRuns)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < by; elapsed += TimeSpan.FromSeconds(1))
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }
        for (var i = 0; i < 200 && ScheduledRuns() < expectedRuns; i++)
        {
            await Task.Delay(25);
        }
        await Task.Delay(100); // a run that should not happen gets the chance to show up
        Assert.Equal(expectedRuns, ScheduledRuns());
    }

    private async Task<JsonNode> Agent(string name = "scripted") => await _client.GetNodeAsync($"/api/agents/{name}");

    [Fact]
    public async Task Runs_at_the_interval_stops_when_disabled_and_resumes_when_enabled()
    {
        (await _client.PutJsonAsync("/api/agents/scripted/settings", new { interval_seconds = 10 })).EnsureSuccessStatusCode();
        // Enabled since the agent was first seen (start-up, T0): first due one interval later.
        Assert.Equal(Iso(T0.AddSeconds(10)), (string?)(await Agent())["next_scheduled_run"]);

        await AdvanceAsync(TimeSpan.FromSeconds(9), expectedRuns: 0);
        await AdvanceAsync(TimeSpan.FromSeconds(1), expectedRuns: 1);
        await AdvanceAsync(TimeSpan.FromSeconds(10), expectedRuns: 2);

        var runs = await _client.GetNodeAsync("/api/agents/scripted/executions");
        var slots = runs["items"]!.AsArray().Select(r => (string?)r!["scheduled_for"]).ToList();
        Assert.Equal([Iso(T0.AddSeconds(20)), Iso(T0.AddSeconds(10))], slots);
        Assert.Equal(Iso(T0.AddSeconds(30)), (string?)(await Agent())["next_scheduled_run"]);

        (await _client.PutJsonAsync("/api/agents/scripted/settings", new { enabled = false })).EnsureSuccessStatusCode();
        Assert.Null((await Agent())["next_scheduled_run"]);
        await AdvanceAsync(TimeSpan.FromSeconds(40), expectedRuns: 2);

        var enabledAt = _time.GetUtcNow();
        (await _client.PutJsonAsync("/api/agents/scripted/settings", new { enabled = true })).EnsureSuccessStatusCode();
        Assert.Equal(Iso(enabledAt.AddSeconds(10)), (string?)(await Agent())["next_scheduled_run"]);
        await AdvanceAsync(TimeSpan.FromSeconds(10), expectedRuns: 3);
    }

    [Fact]
    public async Task A_settings_change_takes_effect_without_restart_and_a_restart_keeps_the_clock()
    {
        (await _client.PutJsonAsync("/api/agents/scripted/settings", new { interval_seconds = 10 })).EnsureSuccessStatusCode();
        await AdvanceAsync(TimeSpan.FromSeconds(10), expectedRuns: 1);

        (await _client.PutJsonAsync("/api/agents/scripted/settings", new { interval_seconds = 30 })).EnsureSuccessStatusCode();
        Assert.Equal(Iso(T0.AddSeconds(40)), (string?)(await Agent())["next_scheduled_run"]);
        await AdvanceAsync(TimeSpan.FromSeconds(20), expectedRuns: 1);

        _host.Dispose();
        _host = new LedgerFactory(_db, _time);
        _client = _host.CreateAuthorizedClient();
        Assert.Equal(Iso(T0.AddSeconds(40)), (string?)(await Agent())["next_scheduled_run"]);
        await AdvanceAsync(TimeSpan.FromSeconds(10), expectedRuns: 2);
    }

    [Fact]
    public async Task A_shorter_interval_starts_afresh_instead_of_catching_up_the_old_schedule()
    {
        // Enabled at its default 3600 s since T0; 20 s later the interval becomes 1 s. The slots
        // T0+1 … T0+20 never existed: running them now would be a burst of 20 catch-up runs.
        _time.Advance(TimeSpan.FromSeconds(20));
        var changedAt = _time.GetUtcNow();
        (await _client.PutJsonAsync("/api/agents/scripted/settings", new { interval_seconds = 1 })).EnsureSuccessStatusCode();
        Assert.Equal(Iso(changedAt.AddSeconds(1)), (string?)(await Agent())["next_scheduled_run"]);

        // One tick at a time, each run finished before the next tick: a run still going when the clock jumps
        // again would (rightly) make that tick skip, which is not what this test is about.
        for (var run = 1; run <= 3; run++)
        {
            await AdvanceAsync(TimeSpan.FromSeconds(1), expectedRuns: run);
        }
        var slots = (await _client.GetNodeAsync("/api/agents/scripted/executions"))["items"]!.AsArray().Select(r => (string?)r!["scheduled_for"]).ToList();
        Assert.Equal([Iso(changedAt.AddSeconds(3)), Iso(changedAt.AddSeconds(2)), Iso(changedAt.AddSeconds(1))], slots);

        // A change that leaves the interval alone keeps the clock.
        (await _client.PutJsonAsync("/api/agents/scripted/settings", new { timeout_seconds = 20 })).EnsureSuccessStatusCode();
        Assert.Equal(Iso(changedAt.AddSeconds(4)), (string?)(await Agent())["next_scheduled_run"]);
    }

    [Fact]
    public async Task After_downtime_a_missed_schedule_runs_once_for_the_newest_slot()
    {
        (await _client.PutJsonAsync("/api/agents/scripted/settings", new { interval_seconds = 10 })).EnsureSuccessStatusCode();
        _host.Dispose();
        _time.Advance(TimeSpan.FromSeconds(400)); // down while slots 10 … 400 passed: far more than ten intervals

        _host = new LedgerFactory(_db, _time);
        _client = _host.CreateAuthorizedClient();
        await AdvanceAsync(TimeSpan.FromSeconds(1), expectedRuns: 1);

        var run = (await _client.GetNodeAsync("/api/agents/scripted/executions"))["items"]![0]!;
        Assert.Equal(Iso(T0.AddSeconds(400)), (string?)run["scheduled_for"]);
    }

    [Fact]
    public async Task Disabled_agents_and_external_agents_are_not_scheduled()
    {
        (await _client.PutJsonAsync("/api/agents/scripted/settings", new { interval_seconds = 5, enabled = false })).EnsureSuccessStatusCode();
        await _client.ReportAsync(new { agent_name = "remote", status = "success" });

        await AdvanceAsync(TimeSpan.FromSeconds(12), expectedRuns: 0);

        Assert.Null((await Agent("remote"))["next_scheduled_run"]);
        Assert.Equal(1, _db.Scalar("SELECT COUNT(*) FROM agent_executions"));
    }
}
