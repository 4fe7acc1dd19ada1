using System.Net;
using System.Text.Json.Nodes;
using AgentLedger.Client;
using AgentLedger.Tests.Infrastructure;

namespace AgentLedger.Tests.Client;

/// <summary>The .NET client against the real host: every way a run can end, asserted through the API.</summary>
public sealed class ClientFlowTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly LedgerFactory _host;
    private readonly HttpClient _api;
    private readonly RecordingHandler _wire = new();
    private readonly AgentLedgerClient _ledger;

    public ClientFlowTests()
    {
        _host = new LedgerFactory(_db);
        _api = _host.CreateClient();
        _ledger = new AgentLedgerClient(_host.CreateDefaultClient(_wire), LedgerFactory.ApiKey);
    }

    public void Dispose()
    {
        _ledger.Dispose();
        _host.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task Started_run_succeeds_with_its_proposals_resources_and_metrics()
    {
        await using var run = await _ledger.StartRunAsync("py-matchmaker", metadata: new { version = "1.4" });
        Assert.Equal("running", (string?)(await _api.GetNodeAsync($"/api/executions/{run.Id}"))["status"]);

        run.AddProposal(new Proposal("match", "Ladder for Ana")
        {
            Explanation = "Ben offers a ladder 300 m away.",
            InputsUsed = ["offer-17", "need-4"],
            Data = new { score = 0.92 },
        });
        run.AddProposal(new Proposal("match", "Drill for Chen") { InputsUsed = ["offer-3"] });
        run.ResourcesProcessed = 42;
        run.Metrics["pairs_scored"] = 120;
        var finished = await run.SucceedAsync();

        Assert.True(run.IsCompleted);
        Assert.Equal(RunStatus.Success, finished.Status);
        Assert.Equal(2, finished.ProposalsCreated);
        var stored = await _api.GetNodeAsync($"/api/executions/{run.Id}");
        Assert.Equal("success", (string?)stored["status"]);
        Assert.Equal("external", (string?)stored["trigger"]);
        Assert.Equal(42, (long)stored["resources_processed"]!);
        Assert.Equal(120, (double)stored["metrics"]!["pairs_scored"]!);
        Assert.Equal("1.4", (string?)stored["metadata"]!["version"]);

        var proposals = (await _api.GetNodeAsync($"/api/proposals?execution_id={run.Id}"))["items"]!.AsArray();
        Assert.Equal(2, proposals.Count);
        var ladder = proposals.Single(p => (string?)p!["title"] == "Ladder for Ana")!;
        Assert.Equal("match", (string?)ladder["type"]);
        Assert.Equal("pending", (string?)ladder["status"]);
        Assert.Equal("Ben offers a ladder 300 m away.", (string?)ladder["explanation"]);
        Assert.Equal(["offer-17", "need-4"], ladder["inputs_used"]!.AsArray().Select(i => (string)i!));
        Assert.Equal(0.92, (double)ladder["data"]!["score"]!);

        var stats = (await _api.GetNodeAsync("/api/agents/py-matchmaker/stats"))["stats"]!;
        Assert.Equal(1, (long)stats["success_count_30d"]!);
        Assert.Equal(0, (long)stats["failure_count_30d"]!);
        Assert.Equal(2, (long)stats["proposals_created_30d"]!);
        Assert.Equal(1, (long)stats["total_runs"]!);
        Assert.Equal(42, (long)stats["window"]!["resources_processed"]!);
        Assert.Equal(120, (double)stats["window"]!["metrics"]!["pairs_scored"]!);
        Assert.Equal("success", (string?)stats["last_status"]);
    }

    [Fact]
    public async Task Requests_are_snake_case_with_utc_times_ending_in_Z_and_no_nulls()
    {
        var startedAt = new DateTimeOffset(DateTime.UtcNow.AddMinutes(-1).Ticks, TimeSpan.Zero).ToOffset(TimeSpan.FromHours(2));
        await using var run = await _ledger.StartRunAsync("py-wire", metadata: new { ModelName = "small", Temperature = (double?)null }, startedAt: startedAt);
        run.AddProposal(new Proposal("note", "Check the pantry"));
        await run.SucceedAsync();

        var start = JsonNode.Parse(_wire.Exchanges.Single(e => e.Path == "/api/executions").Body!)!.AsObject();
        Assert.Equal(["id", "agent_name", "started_at", "metadata"], start.Select(p => p.Key));
        // The id the client chose for the run (so a retry is recognised) is the one the ledger stored.
        Assert.Equal(run.Id, Guid.Parse((string)start["id"]!));
        var sent = (string)start["started_at"]!;
        Assert.EndsWith("Z", sent);
        Assert.Equal(startedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss"), sent[..19]);
        // The agent's own metadata keeps its nulls: they are data, not absent fields.
        Assert.Equal("""{"model_name":"small","temperature":null}""", start["metadata"]!.ToJsonString());

        var complete = JsonNode.Parse(_wire.Exchanges.Single(e => e.Path.EndsWith("/complete", StringComparison.Ordinal)).Body!)!.AsObject();
        Assert.Equal("success", (string?)complete["status"]);
        Assert.EndsWith("Z", (string)complete["completed_at"]!);
        Assert.DoesNotContain("null", complete.ToJsonString());
        Assert.Equal(["type", "title"], complete["proposals"]![0]!.AsObject().Select(p => p.Key));
        Assert.All(_wire.Exchanges, e => Assert.Equal(e.Method == "GET" ? HttpStatusCode.OK : e.Path.EndsWith("/complete", StringComparison.Ordinal) ? HttpStatusCode.OK : HttpStatusCode.Created, e.Status));
    }

    [Fact]
    public async Task An_exception_in_RunAsync_is_recorded_failed_with_its_type_and_message_and_rethrown()
    {
        var id = Guid.Empty;
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => _ledger.RunAsync("py-failing", async run =>
        {
            id = run.Id;
            run.ResourcesProcessed = 3;
            await Task.Yield();
            throw new InvalidOperationException("offers API returned 502");
        }, metadata: new { version = "2.0" }));

        Assert.Equal("offers API returned 502", thrown.Message);
        Assert.False(thrown.Data.Contains("AgentLedger.RecordingError"));
        var stored = await _api.GetNodeAsync($"/api/executions/{id}");
        Assert.Equal("failed", (string?)stored["status"]);
        Assert.Equal("InvalidOperationException", (string?)stored["error_type"]);
        Assert.Equal("offers API returned 502", (string?)stored["error_message"]);
        Assert.Equal(3, (long)stored["resources_processed"]!);
        Assert.Equal("2.0", (string?)stored["metadata"]!["version"]);
        Assert.Contains(nameof(An_exception_in_RunAsync_is_recorded_failed_with_its_type_and_message_and_rethrown), (string?)stored["metadata"]!["stack_trace"]);
        var stats = (await _api.GetNodeAsync("/api/agents/py-failing/stats"))["stats"]!;
        Assert.Equal(1, (long)stats["failure_count_30d"]!);
        Assert.Equal("offers API returned 502", (string?)stats["last_error"]);
    }

    [Fact]
    public async Task RunAsync_records_success_with_the_returned_proposals()
    {
        var finished = await _ledger.RunAsync("py-helper", async run =>
        {
            await Task.Yield();
            run.Metrics["offers_read"] = 9;
            return [new Proposal("match", "Tent for Dee") { InputsUsed = ["offer-9"] }];
        });

        Assert.Equal(RunStatus.Success, finished.Status);
        Assert.Equal(1, finished.ProposalsCreated);
        Assert.Equal(9, finished.Metrics!["offers_read"]);
        Assert.Single((await _api.GetNodeAsync($"/api/proposals?execution_id={finished.Id}"))["items"]!.AsArray());
    }

    [Fact]
    public async Task A_run_disposed_without_completion_is_recorded_failed_never_left_running()
    {
        var id = Guid.Empty;
        await Assert.ThrowsAsync<TimeoutException>(async () =>
        {
            await using var run = await _ledger.StartRunAsync("py-escaping");
            id = run.Id;
            run.AddProposal(new Proposal("match", "Never offered"));
            throw new TimeoutException("escaped the using block");
        });

        var stored = await _api.GetNodeAsync($"/api/executions/{id}");
        Assert.Equal("failed", (string?)stored["status"]);
        Assert.Equal(AgentRun.DisposedWithoutCompletion, (string?)stored["error_type"]);
        Assert.Contains("disposed without completion", (string?)stored["error_message"]);
        Assert.Equal(0, (int)stored["proposals_created"]!);
        Assert.NotNull(stored["completed_at"]);
        Assert.Empty((await _api.GetNodeAsync($"/api/proposals?execution_id={id}"))["items"]!.AsArray());
    }

    [Fact]
    public async Task Each_completion_call_records_its_status_once()
    {
        await using var failed = await _ledger.StartRunAsync("py-endings");
        await using var timedOut = await _ledger.StartRunAsync("py-endings");
        await using var cancelled = await _ledger.StartRunAsync("py-endings");
        await using var fromException = await _ledger.StartRunAsync("py-endings");

        var f = await failed.FailAsync("TimeoutError", "offers API did not answer\u0007 in time");
        var t = await timedOut.TimeoutAsync();
        var c = await cancelled.CancelAsync("host shutting down");
        var e = await fromException.FailAsync(new ArgumentException("bad offer id"));

        Assert.Equal((RunStatus.Failed, "TimeoutError"), (f.Status, f.ErrorType));
        // A control character would make the ledger refuse the failure, so it is blanked rather than lost.
        Assert.Equal("offers API did not answer  in time", f.ErrorMessage);
        Assert.Equal((RunStatus.Timeout, "Timeout"), (t.Status, t.ErrorType));
        Assert.Equal((RunStatus.Cancelled, "host shutting down"), (c.Status, c.ErrorMessage));
        Assert.Equal((RunStatus.Failed, "ArgumentException", "bad offer id"), (e.Status, e.ErrorType, e.ErrorMessage));
        await Assert.ThrowsAsync<InvalidOperationException>(() => failed.SucceedAsync());

        var window = (await _api.GetNodeAsync("/api/agents/py-endings/stats"))["stats"]!["window"]!;
        Assert.Equal(4, (long)window["runs"]!);
        Assert.Equal(3, (long)window["failure_count"]!);
        Assert.Equal(1, (long)window["cancelled_count"]!);
        Assert.Equal(0, (long)window["running_count"]!);
    }

    [Fact]
    public async Task A_finished_run_is_reported_in_one_call()
    {
        var started = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-2).AddHours(10), TimeSpan.Zero);
        var failed = await _ledger.ReportAsync(new FinishedRun("py-backfill", RunOutcome.Failed, started, started.AddSeconds(3))
        {
            ErrorType = "TimeoutError",
            ErrorMessage = "offers API did not answer",
        });
        var succeeded = await _ledger.ReportAsync(new FinishedRun("py-backfill", RunOutcome.Success, started.AddHours(1), started.AddHours(1).AddMilliseconds(1500))
        {
            Proposals = [new Proposal("match", "Ladder for Ana") { InputsUsed = ["offer-17"], Data = new { score = 0.5 } }],
            ResourcesProcessed = 10,
            Metrics = new Dictionary<string, double> { ["pairs_scored"] = 7 },
            Metadata = new { backfilled = true },
        });

        Assert.Equal((RunStatus.Failed, started, 3000L), (failed.Status, failed.StartedAt, failed.DurationMs));
        Assert.Equal("offers API did not answer", failed.ErrorMessage);
        Assert.Equal((RunStatus.Success, 1, 1500L), (succeeded.Status, succeeded.ProposalsCreated, succeeded.DurationMs));
        var items = (await _api.GetNodeAsync("/api/agents/py-backfill/executions"))["items"]!.AsArray();
        Assert.Equal([succeeded.Id.ToString(), failed.Id.ToString()], items.Select(i => (string)i!["id"]!));
        var proposal = (await _api.GetNodeAsync($"/api/proposals?execution_id={succeeded.Id}"))["items"]![0]!;
        Assert.Equal("offer-17", (string?)proposal["inputs_used"]![0]);
        var window = (await _api.GetNodeAsync("/api/agents/py-backfill/stats?window=7d"))["stats"]!["window"]!;
        Assert.Equal((2L, 1L, 1L, 7.0), ((long)window["runs"]!, (long)window["success_count"]!, (long)window["failure_count"]!, (double)window["metrics"]!["pairs_scored"]!));
    }

    [Fact]
    public async Task Validation_errors_surface_as_AgentLedgerException_with_the_field()
    {
        var badName = await Assert.ThrowsAsync<AgentLedgerException>(() => _ledger.StartRunAsync("Not A Valid Name"));
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Equal("The request is invalid.", badName.Title);
        Assert.Contains("agent_name", badName.Errors.Keys);
        Assert.Contains("agent_name", badName.Detail);

        var id = Guid.Empty;
        await using (var run = await _ledger.StartRunAsync("py-invalid"))
        {
            id = run.Id;
            run.AddProposal(new Proposal("match", " "));
            var refused = await Assert.ThrowsAsync<AgentLedgerException>(() => run.SucceedAsync());
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal(["must be a non-empty string"], refused.Errors["proposals[0].title"]);
            Assert.False(run.IsCompleted);
        }
        // Disposal recorded the run as failed, saying why its completion did not go through.
        var stored = await _api.GetNodeAsync($"/api/executions/{id}");
        Assert.Equal("failed", (string?)stored["status"]);
        Assert.Contains("proposals[0].title", (string?)stored["error_message"]);

        using var wrongKey = new AgentLedgerClient(_host.CreateClient(), "not-the-key");
        var unauthorized = await Assert.ThrowsAsync<AgentLedgerException>(() => wrongKey.StartRunAsync("py-invalid"));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        // Only the run that started: the refused start and the unauthorized one wrote nothing.
        Assert.Equal(1, _db.Scalar("SELECT COUNT(*) FROM agent_executions"));
    }

    [Fact]
    public async Task Metadata_that_is_not_an_object_is_refused_before_anything_is_sent()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _ledger.StartRunAsync("py-meta", metadata: "just a string"));
        Assert.Empty(_wire.Exchanges);
        Assert.Null(await _ledger.GetExecutionAsync(Guid.NewGuid()));
    }
}
