using System.Diagnostics;
using System.Net;
using AgentLedger.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace AgentLedger.Tests.Operations;

/// <summary>
/// OpenTelemetry's MeterProvider listens to every meter named "AgentLedger" in the process, not only
/// its own host's, so a test that asserts exact counts on /metrics must not share the process with
/// hosts of other tests recording runs: this class runs alone, after the parallel ones.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class TelemetryTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly LedgerFactory _host;
    private readonly HttpClient _client;

    public TelemetryTests()
    {
        _host = new LedgerFactory(_db);
        _client = _host.CreateAuthorizedClient();
    }

    public void Dispose()
    {
        _host.Dispose();
        _db.Dispose();
    }

    [SkippableFact]
    public async Task Metrics_follow_the_ledger_and_promtool_accepts_them()
    {
        (await _client.SetConfigAsync("scripted", new { config = new { proposals = 2 } })).EnsureSuccessStatusCode();
        await _client.PostExpectAsync("/api/agents/scripted/run?wait=true", new { }, 200);
        (await _client.SetConfigAsync("scripted-b", new { config = new { outcome = "fail", message = "boom" } })).EnsureSuccessStatusCode();
        await _client.PostExpectAsync("/api/agents/scripted-b/run?wait=true", new { }, 200);
        await _client.ReportAsync(new { agent_name = "remote", status = "timeout", error_type = "Deadline", started_at = Api.Iso(DateTimeOffset.UtcNow.AddSeconds(-90)) });
        var proposal = (await _client.GetNodeAsync("/api/proposals?agent_name=scripted"))["items"]![0]!;
        await _client.PostExpectAsync($"/api/proposals/{proposal["id"]}/reject", new { }, 200);

        var text = await _client.GetStringAsync("/metrics");

        Assert.Contains("agent_runs_total{otel_scope_name=\"AgentLedger\",agent=\"scripted\",error_type=\"\",outcome=\"success\"} 1", text);
        Assert.Contains("agent_runs_total{otel_scope_name=\"AgentLedger\",agent=\"scripted-b\",error_type=\"InvalidOperationException\",outcome=\"failed\"} 1", text);
        Assert.Contains("agent_runs_total{otel_scope_name=\"AgentLedger\",agent=\"remote\",error_type=\"Deadline\",outcome=\"timeout\"} 1", text);
        Assert.Contains("agent_run_duration_seconds_bucket{otel_scope_name=\"AgentLedger\",agent=\"remote\",outcome=\"timeout\",le=\"60\"} 0", text);
        Assert.Contains("agent_run_duration_seconds_bucket{otel_scope_name=\"AgentLedger\",agent=\"remote\",outcome=\"timeout\",le=\"120\"} 1", text);
        Assert.Contains("le=\"0.01\"", text);
        Assert.Contains("le=\"3600\"", text);
        Assert.Contains("proposals_created_total{otel_scope_name=\"AgentLedger\",agent=\"scripted\"} 2", text);
        Assert.Contains("proposals_decided_total{otel_scope_name=\"AgentLedger\",outcome=\"rejected\"} 1", text);
        Assert.Contains("agent_runs_active{otel_scope_name=\"AgentLedger\",agent=\"scripted\"} 0", text);
        Assert.Matches("agent_last_success_timestamp_seconds\\{otel_scope_name=\"AgentLedger\",agent=\"scripted\"\\} 1[0-9]{9}", text);

        var promtool = External.Require("promtool");
        var (exit, output) = await External.RunAsync(promtool, ["check", "metrics"], stdin: text);
        Assert.True(exit == 0 && !output.Contains("warn", StringComparison.OrdinalIgnoreCase), $"promtool: {output}");
    }

    [Fact]
    public async Task Last_success_gauge_is_right_after_a_restart()
    {
        var reported = await _client.ReportAsync(new { agent_name = "remote", status = "success", started_at = Api.Iso(DateTimeOffset.UtcNow.AddMinutes(-3)) });
        _host.Dispose();

        using var restarted = new LedgerFactory(_db);
        var text = await restarted.CreateClient().GetStringAsync("/metrics");

        var completed = DateTimeOffset.Parse((string)reported["completed_at"]!, System.Globalization.CultureInfo.InvariantCulture);
        var match = System.Text.RegularExpressions.Regex.Match(text, "agent_last_success_timestamp_seconds\\{otel_scope_name=\"AgentLedger\",agent=\"remote\"\\} ([0-9.e+]+)");
        Assert.True(match.Success, text);
        Assert.Equal(completed.ToUnixTimeMilliseconds() / 1000.0, double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 3);
    }

    [Fact]
    public async Task Metrics_can_require_the_api_key()
    {
        using var host = _host.WithWebHostBuilder(b => b.UseSetting("AgentLedger:ProtectMetrics", "true"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.CreateClient().GetAsync("/metrics")).StatusCode);
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", LedgerFactory.ApiKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Each_run_is_an_invoke_agent_span_with_GenAI_attributes_and_error_status_on_failure()
    {
        var spans = new System.Collections.Concurrent.ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "AgentLedger",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        (await _client.SetConfigAsync("scripted-b", new { config = new { outcome = "fail", message = "boom" } })).EnsureSuccessStatusCode();

        var ok = await _client.PostExpectAsync("/api/agents/scripted/run?wait=true", new { }, 200);
        var failed = await _client.PostExpectAsync("/api/agents/scripted-b/run?wait=true", new { }, 200);

        var okSpan = spans.Single(s => (string?)s.GetTagItem("agentledger.execution.id") == (string)ok["id"]!);
        Assert.Equal("invoke_agent scripted", okSpan.DisplayName);
        Assert.Equal("invoke_agent", okSpan.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("scripted", okSpan.GetTagItem("gen_ai.agent.name"));
        Assert.Equal("scripted", okSpan.GetTagItem("gen_ai.agent.id"));
        Assert.NotEqual(ActivityStatusCode.Error, okSpan.Status);
        var failedSpan = spans.Single(s => (string?)s.GetTagItem("agentledger.execution.id") == (string)failed["id"]!);
        Assert.Equal(ActivityStatusCode.Error, failedSpan.Status);
        Assert.Equal("boom", failedSpan.StatusDescription);
        Assert.Equal("InvalidOperationException", failedSpan.GetTagItem("error.type"));
    }

    [Fact]
    public async Task Reports_over_the_rate_limit_get_429_with_Retry_After_and_write_nothing()
    {
        using var host = _host.WithWebHostBuilder(b =>
        {
            b.UseSetting("AgentLedger:RateLimit:ReportsPerSecond", "1");
            b.UseSetting("AgentLedger:RateLimit:Burst", "2");
        });
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", LedgerFactory.ApiKey);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await client.PostAsync("/api/executions", Api.Json(new { agent_name = "flood", status = "success" }))).StatusCode);
        }
        var before = _db.RowCounts();
        var limited = await client.PostAsync("/api/executions", Api.Json(new { agent_name = "flood", status = "success" }));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, _db.RowCounts());
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Equal(_db.Scalar("SELECT COUNT(*) FROM agent_executions"), statuses.Count(s => s == HttpStatusCode.Created));
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics";
}
