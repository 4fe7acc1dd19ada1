using System.Diagnostics;
using System.Net;
using AgentLedger.Client;
using AgentLedger.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using static AgentLedger.Tests.Client.RecordingHandler;

namespace AgentLedger.Tests.Client;

/// <summary>Back-pressure and lost answers: every call eventually lands once, never twice.</summary>
public sealed class ClientRetryTests : IDisposable
{
    // Quick back-off for the tests; Retry-After from the ledger is still honoured.
    private static readonly AgentLedgerClientOptions Fast = new() { InitialDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromSeconds(2) };

    private readonly TestDatabase _db = new();
    private readonly LedgerFactory _host;
    private readonly HttpClient _api;

    public ClientRetryTests()
    {
        _host = new LedgerFactory(_db);
        _api = _host.CreateClient();
    }

    public void Dispose()
    {
        _host.Dispose();
        _db.Dispose();
    }

    private long StoredRuns => _db.Scalar("SELECT COUNT(*) FROM agent_executions");

    [Fact]
    public async Task Calls_over_the_rate_limit_are_retried_after_Retry_After_until_all_are_recorded()
    {
        using var limited = _host.WithWebHostBuilder(b =>
        {
            b.UseSetting("AgentLedger:RateLimit:ReportsPerSecond", "1");
            b.UseSetting("AgentLedger:RateLimit:Burst", "1");
        });
        var wire = new RecordingHandler();
        using var ledger = new AgentLedgerClient(limited.CreateDefaultClient(wire), LedgerFactory.ApiKey, Fast);

        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 3; i++)
        {
            await ledger.ReportAsync(new FinishedRun("py-flood", RunOutcome.Success, now.AddMinutes(-10 + i), now.AddMinutes(-10 + i).AddSeconds(1)));
        }
        await using (var run = await ledger.StartRunAsync("py-flood"))
        {
            await run.SucceedAsync();
        }

        var posts = wire.Exchanges.Where(e => e.Method == "POST").ToList();
        Assert.Contains(posts, e => e.Status == HttpStatusCode.TooManyRequests);
        Assert.Equal(5, posts.Count(e => e.Status is HttpStatusCode.Created or HttpStatusCode.OK));
        Assert.Equal(4, StoredRuns);
        var items = (await _api.GetNodeAsync("/api/agents/py-flood/executions"))["items"]!.AsArray();
        Assert.All(items, i => Assert.Equal("success", (string?)i!["status"]));
    }

    [Fact]
    public async Task A_503_is_retried_and_the_run_recorded_once()
    {
        var wire = new RecordingHandler()
            .Inject(Fault.Unavailable, HttpMethod.Post, "/api/executions")
            .Inject(Fault.Unavailable, HttpMethod.Post, "/complete");
        using var ledger = new AgentLedgerClient(_host.CreateDefaultClient(wire), LedgerFactory.ApiKey, Fast);

        await using var run = await ledger.StartRunAsync("py-unavailable");
        run.Metrics["items"] = 1;
        var finished = await run.SucceedAsync();

        Assert.Equal(RunStatus.Success, finished.Status);
        Assert.Equal(
            [HttpStatusCode.ServiceUnavailable, HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK],
            wire.Exchanges.Select(e => e.Status));
        Assert.Equal(1, StoredRuns);
    }

    [Fact]
    public async Task Lost_answers_are_settled_without_recording_a_run_twice()
    {
        var wire = new RecordingHandler()
            .Inject(Fault.LoseAnswer, HttpMethod.Post, "/api/executions")
            .Inject(Fault.LoseAnswer, HttpMethod.Post, "/complete");
        using var ledger = new AgentLedgerClient(_host.CreateDefaultClient(wire), LedgerFactory.ApiKey, Fast);

        await using var run = await ledger.StartRunAsync("py-lossy");
        run.AddProposal(new Proposal("match", "Ladder for Ana"));
        var finished = await run.SucceedAsync();

        // Both calls were sent again with the same bytes (the start with its client-chosen id), and the
        // ledger answered each replay 200 with what the lost attempt had stored.
        Assert.Equal(run.Id, finished.Id);
        Assert.Equal(RunStatus.Success, finished.Status);
        var starts = wire.Exchanges.Where(e => e.Method == "POST" && e.Path == "/api/executions").ToList();
        Assert.Equal(2, starts.Count);
        Assert.Equal(starts[0].Body, starts[1].Body);
        Assert.Equal(HttpStatusCode.OK, starts[1].Status);
        var completions = wire.Exchanges.Where(e => e.Path.EndsWith("/complete", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, completions.Count);
        Assert.Equal(completions[0].Body, completions[1].Body);
        Assert.Equal(HttpStatusCode.OK, completions[1].Status);
        Assert.DoesNotContain(wire.Exchanges, e => e.Method == "GET");
        Assert.Equal(1, StoredRuns);
        Assert.Equal(1, _db.Scalar("SELECT COUNT(*) FROM proposals"));
        var stats = (await _api.GetNodeAsync("/api/agents/py-lossy/stats"))["stats"]!;
        Assert.Equal((1L, 1L), ((long)stats["success_count_30d"]!, (long)stats["proposals_created_30d"]!));
    }

    [Fact]
    public async Task A_lost_answer_to_a_one_call_report_is_not_recorded_twice()
    {
        var wire = new RecordingHandler().Inject(Fault.LoseAnswer, HttpMethod.Post, "/api/executions");
        using var ledger = new AgentLedgerClient(_host.CreateDefaultClient(wire), LedgerFactory.ApiKey, Fast);
        var started = DateTimeOffset.UtcNow.AddMinutes(-5);

        var reported = await ledger.ReportAsync(new FinishedRun("py-report-lossy", RunOutcome.Success, started, started.AddSeconds(2)));

        Assert.Equal(RunStatus.Success, reported.Status);
        var posts = wire.Exchanges.Where(e => e.Method == "POST").ToList();
        Assert.Equal(2, posts.Count);
        Assert.Equal(posts[0].Body, posts[1].Body);
        Assert.Equal(HttpStatusCode.OK, posts[1].Status);
        Assert.Equal(1, StoredRuns);
    }

    [Fact]
    public async Task A_first_attempt_that_never_arrived_is_simply_sent_again()
    {
        // 503 is the ledger's own answer: nothing was recorded, and the same report is simply sent again.
        var wire = new RecordingHandler().Inject(Fault.Unavailable, HttpMethod.Post, "/api/executions", times: 2);
        using var ledger = new AgentLedgerClient(_host.CreateDefaultClient(wire), LedgerFactory.ApiKey, Fast);

        var reported = await ledger.ReportAsync(new FinishedRun("py-new", RunOutcome.Cancelled, DateTimeOffset.UtcNow.AddSeconds(-1), DateTimeOffset.UtcNow));

        Assert.Equal(RunStatus.Cancelled, reported.Status);
        Assert.Equal(3, wire.Exchanges.Count);
        Assert.Equal(1, StoredRuns);
    }

    [Fact]
    public async Task Retries_are_bounded_and_the_last_answer_surfaces()
    {
        var wire = new RecordingHandler().Inject(Fault.Unavailable, HttpMethod.Post, "/api/executions", times: 100);
        using var ledger = new AgentLedgerClient(_host.CreateDefaultClient(wire), LedgerFactory.ApiKey, Fast with { MaxAttempts = 3 });

        var refused = await Assert.ThrowsAsync<AgentLedgerException>(() => ledger.StartRunAsync("py-down"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.Zero, refused.RetryAfter);
        Assert.Equal(3, wire.Exchanges.Count);
        Assert.Equal(0, StoredRuns);
    }

    [Fact]
    public async Task An_unreachable_ledger_fails_after_the_bounded_attempts_with_the_network_error()
    {
        using var ledger = new AgentLedgerClient(new Uri("http://127.0.0.1:9"), LedgerFactory.ApiKey, Fast with { MaxAttempts = 3 });
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => ledger.StartRunAsync("py-offline"));

        Assert.Equal(HttpRequestError.ConnectionError, error.HttpRequestError);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }
}
