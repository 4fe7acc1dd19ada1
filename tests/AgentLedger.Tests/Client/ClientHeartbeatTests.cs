using System.Diagnostics;
using AgentLedger.Client;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AgentLedger.Tests.Client;

/// <summary>The .NET client's heartbeats against the real host, on a fake clock of the client's own.</summary>
public sealed class ClientHeartbeatTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly LedgerFactory _host;
    private readonly HttpClient _api;
    private readonly RecordingHandler _wire = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly AgentLedgerClient _ledger;

    public ClientHeartbeatTests()
    {
        _host = new LedgerFactory(_db);
        _api = _host.CreateAuthorizedClient();
        _ledger = new AgentLedgerClient(_host.CreateDefaultClient(_wire), LedgerFactory.ApiKey, new AgentLedgerClientOptions { TimeProvider = _clock });
    }

    public void Dispose()
    {
        _ledger.Dispose();
        _host.Dispose();
        _db.Dispose();
    }

    private int Beats(Guid id) => _wire.Exchanges.Count(e => e.Method == "POST" && e.Path == $"/api/executions/{id}/heartbeat");

    /// <summary>
    /// Moves the client's clock one interval at a time until the beat loop has sent <paramref name="count"/> beats.
    /// The loop arms its timer a moment after it starts (and after each beat), so one step may find it not armed yet.
    /// </summary>
    private async Task AdvanceUntilBeatsAsync(Guid id, int count)
    {
        var waited = Stopwatch.StartNew();
        while (Beats(id) < count)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"only {Beats(id)} of {count} beats were sent");
            _clock.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_run_with_a_heartbeat_renews_its_lease_on_the_clients_clock_until_it_is_completed()
    {
        var run = await _ledger.StartRunAsync("py-beating", heartbeat: TimeSpan.FromSeconds(5));
        var started = await _api.GetNodeAsync($"/api/executions/{run.Id}");
        Assert.Equal(5, (int)started["heartbeat_seconds"]!);
        var startBeat = (DateTimeOffset?)started["last_heartbeat_at"];
        Assert.Equal(0, Beats(run.Id));

        await AdvanceUntilBeatsAsync(run.Id, 2);
        var beating = await _api.GetNodeAsync($"/api/executions/{run.Id}");
        Assert.Equal("running", (string?)beating["status"]);
        Assert.True((DateTimeOffset)beating["last_heartbeat_at"]! > (startBeat ?? DateTimeOffset.MinValue));
        Assert.Null(run.HeartbeatError);
        Assert.Equal((DateTimeOffset)beating["last_heartbeat_at"]!, run.LastHeartbeatAt);

        await run.SucceedAsync();
        await run.DisposeAsync();
        var sent = Beats(run.Id);
        // The loop has ended: however far the clock moves, a completed run takes no beat (the ledger would answer 409).
        _clock.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(200);
        Assert.Equal(sent, Beats(run.Id));
        Assert.Equal("success", (string?)(await _api.GetNodeAsync($"/api/executions/{run.Id}"))["status"]);
        Assert.Null(run.HeartbeatError);
    }

    [Fact]
    public async Task A_beat_the_ledger_refuses_ends_the_beating_and_says_why()
    {
        var run = await _ledger.StartRunAsync("py-closed-elsewhere", heartbeat: TimeSpan.FromSeconds(5));
        // Another process completes the run (a duplicate worker, an operator): the next beat is refused with 409.
        await _api.PostExpectAsync($"/api/executions/{run.Id}/complete", new { status = "cancelled" }, 200);

        await AdvanceUntilBeatsAsync(run.Id, 1);
        var waited = Stopwatch.StartNew();
        while (run.HeartbeatError is null && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20);
        }
        var error = Assert.IsType<AgentLedgerException>(run.HeartbeatError);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, error.StatusCode);
        _clock.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(200);
        Assert.Equal(1, Beats(run.Id));
        await run.DisposeAsync();
    }

    [Theory]
    [InlineData(4)]
    [InlineData(3601)]
    [InlineData(7.5)]
    public async Task A_heartbeat_outside_the_ledgers_bounds_is_refused_before_anything_is_sent(double seconds)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _ledger.StartRunAsync("py-wrong-beat", heartbeat: TimeSpan.FromSeconds(seconds)));
        Assert.Empty(_wire.Exchanges);
    }
}
