using System.Text.Json.Nodes;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;
using AgentLedger.Server.Cli;
using AgentLedger.Storage.Retention;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AgentLedger.Tests.Retention;

/// <summary>120 days of history, raw rows older than 90 days archived: every number stays the same and verify passes.</summary>
public sealed class RetentionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 15, 27, 13, TimeSpan.Zero);
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(Now);
    private readonly LedgerFactory _host;
    private readonly HttpClient _client;

    public RetentionTests()
    {
        // The host's own retention pass (at start-up, cutoff 90 days) would race the backfill below
        // and archive part of it first; the tests run the archiver themselves, so it is pushed out.
        _host = new LedgerFactory(_db, _time, settings: new Dictionary<string, string?> { ["AgentLedger:RawRetentionDays"] = "36500" });
        _client = _host.CreateAuthorizedClient();
    }

    public void Dispose()
    {
        _host.Dispose();
        _db.Dispose();
    }

    private async Task BackfillAsync()
    {
        var ledger = _host.Services.GetRequiredService<IExecutionLedger>();
        var random = new Random(11);
        foreach (var agent in new[] { "backfill-a", "backfill-b" })
        {
            for (var hoursAgo = 120 * 24; hoursAgo > 0; hoursAgo -= random.Next(3, 9))
            {
                var started = Now - TimeSpan.FromHours(hoursAgo) + TimeSpan.FromMinutes(random.Next(60));
                var status = random.Next(20) switch { 0 => ExecutionStatus.Failed, 1 => ExecutionStatus.Timeout, _ => ExecutionStatus.Success };
                var duration = (long)Math.Exp(random.NextDouble() * 10);
                var proposals = status == ExecutionStatus.Success && random.Next(3) == 0
                    ? new[] { new ProposalDraft("match", $"Match {hoursAgo}", InputsUsed: [$"offer-{hoursAgo}"]) }
                    : [];
                await ledger.RecordAsync(
                    new ExecutionStart(agent, ExecutionTrigger.External, started),
                    new ExecutionOutcome(status, started.AddMilliseconds(duration), Proposals: proposals, ResourcesProcessed: random.Next(50),
                        Metrics: new Dictionary<string, double> { ["pairs_scored"] = random.Next(100) },
                        ErrorMessage: status == ExecutionStatus.Success ? null : $"error {random.Next(5)}"),
                    CancellationToken.None);
            }
        }
        // An agent that ran only long ago: after archiving its last run must still show.
        await ledger.RecordAsync(new ExecutionStart("ancient", ExecutionTrigger.External, Now.AddDays(-100)),
            new ExecutionOutcome(ExecutionStatus.Success, Now.AddDays(-100).AddSeconds(3)), CancellationToken.None);

        // Decide some proposals so approval counts live in the rollups too.
        var pending = await _client.GetNodeAsync("/api/proposals?status=pending&limit=40");
        var i = 0;
        foreach (var proposal in pending["items"]!.AsArray())
        {
            await _client.PostExpectAsync($"/api/proposals/{proposal!["id"]}/{(i++ % 3 == 0 ? "reject" : "approve")}", new { }, 200);
        }
    }

    private async Task<List<string>> SnapshotAsync()
    {
        var urls = new[]
        {
            "/api/agents/stats?window=120d", "/api/agents/stats?window=100d", "/api/agents/stats?window=7d", "/api/agents/stats",
            "/api/agents/backfill-a/stats?window=93d", "/api/agents/ancient/stats?window=400d",
        };
        var result = new List<string>();
        foreach (var url in urls)
        {
            result.Add((await _client.GetNodeAsync(url)).ToJsonString());
        }
        foreach (var url in new[] { "/api/agents/backfill-a/history?window=120d&bucket=1d", "/api/agents/backfill-b/history?window=80d&bucket=1h" })
        {
            var history = await _client.GetNodeAsync(url);
            foreach (var point in history["points"]!.AsArray())
            {
                point!.AsObject().Remove("archived");
            }
            result.Add(history.ToJsonString());
        }
        return result;
    }

    [Fact]
    public async Task Archiving_raw_rows_older_than_90_days_keeps_every_stat_and_history_bucket()
    {
        await BackfillAsync();
        var before = await SnapshotAsync();
        var cutoff = Now.AddDays(-90);
        var old = _db.Scalar($"SELECT COUNT(*) FROM agent_executions WHERE agent_name <> 'ancient'") - CountSince(cutoff);
        Assert.True(old > 100, $"only {old} old rows");

        var report = await _host.Services.GetRequiredService<LedgerArchiver>().ArchiveAsync(cutoff, dryRun: false, batchSize: 97);

        Assert.Equal(old + 1, report.Archived);
        Assert.True(report.Batches > 1);
        Assert.Equal(report.Archived, _db.Scalar("SELECT COUNT(*) FROM agent_executions_archive"));
        Assert.Equal(CountSince(cutoff), _db.Scalar("SELECT COUNT(*) FROM agent_executions"));
        Assert.Equal(before, await SnapshotAsync());

        var ancient = (await _client.GetNodeAsync("/api/agents/ancient/stats"))["stats"]!;
        Assert.Equal(Api.Iso(Now.AddDays(-100)), (string?)ancient["last_run"]);
        var history = await _client.GetNodeAsync("/api/agents/backfill-a/history?window=120d&bucket=1d");
        var points = history["points"]!.AsArray();
        Assert.True((bool)points[0]!["archived"]!);
        Assert.False((bool)points[^1]!["archived"]!);
        Assert.Equal(points.Count(p => (bool)p!["archived"]!), points.Count(p => DateTimeOffset.Parse((string)p!["start"]!, System.Globalization.CultureInfo.InvariantCulture).AddDays(1) <= cutoff));

        // Proposals keep their execution link after the execution moved.
        var proposal = (await _client.GetNodeAsync("/api/proposals?agent_name=backfill-a&limit=500"))["items"]!.AsArray().Last()!;
        Assert.Equal(1, _db.Scalar($"SELECT COUNT(*) FROM agent_executions_archive WHERE id = {TestDatabase.UuidLiteral(Guid.Parse((string)proposal["execution_id"]!))}"));

        var output = new StringWriter();
        Assert.Equal(0, await AdminCli.RunAsync(["verify", .. _db.CliArgs()], output));
        Assert.Contains("0 differences", output.ToString());

        // Archiving again finds nothing new.
        Assert.Equal(0, (await _host.Services.GetRequiredService<LedgerArchiver>().ArchiveAsync(cutoff, dryRun: false)).Archived);
    }

    [Fact]
    public async Task Verify_reports_a_rollup_that_does_not_match_the_raw_rows()
    {
        await _client.ReportAsync(new { agent_name = "ext", status = "success", started_at = Api.Iso(Now.AddHours(-2)) });
        var output = new StringWriter();
        Assert.Equal(0, await AdminCli.RunAsync(["verify", .. _db.CliArgs()], output));

        _db.Execute("UPDATE agent_rollups SET success_count = success_count + 1 WHERE period = 'day'");

        output = new StringWriter();
        Assert.Equal(1, await AdminCli.RunAsync(["verify", .. _db.CliArgs()], output));
        Assert.Contains("ext day", output.ToString());
        Assert.Contains("success_count: expected 1, stored 2", output.ToString());
    }

    /// <summary>The CLI runs on the real clock, so this test's host does too.</summary>
    [Fact]
    public async Task Archive_dry_run_counts_without_moving_and_stats_verb_prints_a_table()
    {
        using var db = new TestDatabase();
        using var host = new LedgerFactory(db);
        var client = host.CreateAuthorizedClient();
        await client.ReportAsync(new { agent_name = "ext", status = "success", started_at = Api.Iso(DateTimeOffset.UtcNow.AddDays(-95)) });
        await client.ReportAsync(new { agent_name = "ext", status = "failed", started_at = Api.Iso(DateTimeOffset.UtcNow.AddDays(-1)) });

        var output = new StringWriter();
        Assert.Equal(0, await AdminCli.RunAsync(["archive", "--dry-run", .. db.CliArgs()], output));
        Assert.Contains("1 executions started before", output.ToString());
        Assert.Equal(2, db.Scalar("SELECT COUNT(*) FROM agent_executions"));

        output = new StringWriter();
        Assert.Equal(0, await AdminCli.RunAsync(["stats", "--window", "400d", .. db.CliArgs()], output));
        var table = output.ToString();
        Assert.Contains("window 400d", table);
        var row = table.Split('\n').Single(l => l.StartsWith("ext ", StringComparison.Ordinal));
        Assert.Matches(@"ext\s+yes\s+\S+ \S+\s+failed\s+2\s+1\s+1\s+50\.0%", row);

        Assert.Equal(2, await AdminCli.RunAsync(["stats", "--window", "9999d", .. db.CliArgs()], new StringWriter()));
    }

    private long CountSince(DateTimeOffset cutoff) =>
        _db.Scalar("SELECT COUNT(*) FROM agent_executions WHERE agent_name <> 'ancient' AND started_at >= " + TimeLiteral(cutoff));

    private static string TimeLiteral(DateTimeOffset value) => TestDatabase.IsPostgres
        ? $"'{value.UtcDateTime:yyyy-MM-dd HH:mm:ss}+00'"
        : ((value.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) / 10).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
