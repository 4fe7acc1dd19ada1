using System.Diagnostics;
using System.Text.Json.Nodes;
using AgentLedger.Core.Traces;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AgentLedger.Tests.Otlp;

/// <summary>
/// The real OpenTelemetry .NET OTLP exporter (HttpProtobuf), fed by an ActivitySource that emits spans shaped as
/// Microsoft Agent Framework's (<c>invoke_agent</c> with <c>chat</c> and <c>execute_tool</c> children), against the
/// real host on a socket: the runs, their metrics and the agent's stats are what was emitted.
/// </summary>
public sealed class OtlpExporterTests : IDisposable
{
    private readonly OtlpHost _host = new();
    private readonly ActivitySource _source = new($"Experimental.Microsoft.Agents.AI.Test.{Guid.NewGuid():N}");

    public void Dispose()
    {
        _source.Dispose();
        _host.Dispose();
    }

    private TracerProvider Exporter(ExportProcessorType processor) =>
        Sdk.CreateTracerProviderBuilder()
            .AddSource(_source.Name)
            .ConfigureResource(r => r.AddService("support-desk", serviceVersion: "1.4.0"))
            .AddOtlpExporter(o =>
            {
                o.Endpoint = _host.TracesEndpoint;
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.Headers = $"X-Api-Key={LedgerFactory.ApiKey}";
                o.ExportProcessorType = processor;
            })
            .Build()!;

    /// <summary>One agent run as Agent Framework traces it: chat, tool, chat; the second run's tool throws and the run fails.</summary>
    private (ActivityTraceId Trace, ActivitySpanId Span) EmitRun(DateTimeOffset start, bool fail)
    {
        using var agent = _source.StartActivity("invoke_agent Triage Bot(agent-42)", ActivityKind.Internal, default(ActivityContext), startTime: start)!;
        agent.SetTag("gen_ai.operation.name", "invoke_agent");
        agent.SetTag("gen_ai.provider.name", "openai");
        agent.SetTag("gen_ai.agent.id", "agent-42");
        agent.SetTag("gen_ai.agent.name", "Triage Bot");
        agent.SetTag("gen_ai.agent.description", "Sorts support tickets.");
        Chat(agent.Context, start.AddMilliseconds(10), input: 120, output: 30, cacheRead: 64);
        Tool(agent.Context, start.AddMilliseconds(400), fail);
        if (!fail)
        {
            Chat(agent.Context, start.AddMilliseconds(600), input: 200, output: 45, cacheRead: null);
        }
        else
        {
            var error = new InvalidOperationException("Order service unavailable");
            agent.AddException(error);
            agent.SetTag("error.type", error.GetType().FullName);
            agent.SetStatus(ActivityStatusCode.Error, error.Message);
        }
        agent.SetEndTime(start.AddMilliseconds(1500).UtcDateTime);
        return (agent.TraceId, agent.SpanId);
    }

    private void Chat(ActivityContext parent, DateTimeOffset start, int input, int output, int? cacheRead)
    {
        using var chat = _source.StartActivity("chat gpt-4o-mini", ActivityKind.Client, parent, startTime: start)!;
        chat.SetTag("gen_ai.operation.name", "chat");
        chat.SetTag("gen_ai.provider.name", "openai");
        chat.SetTag("gen_ai.request.model", "gpt-4o-mini");
        chat.SetTag("gen_ai.response.model", "gpt-4o-mini-2024-07-18");
        chat.SetTag("gen_ai.usage.input_tokens", input);
        chat.SetTag("gen_ai.usage.output_tokens", output);
        if (cacheRead is { } cached)
        {
            chat.SetTag("gen_ai.usage.cache_read.input_tokens", cached);
        }
        chat.SetTag("gen_ai.response.finish_reasons", new[] { "stop" });
        chat.SetEndTime(start.AddMilliseconds(300).UtcDateTime);
    }

    private void Tool(ActivityContext parent, DateTimeOffset start, bool fail)
    {
        using var tool = _source.StartActivity("execute_tool lookup_order", ActivityKind.Internal, parent, startTime: start)!;
        tool.SetTag("gen_ai.operation.name", "execute_tool");
        tool.SetTag("gen_ai.tool.name", "lookup_order");
        tool.SetTag("gen_ai.tool.type", "function");
        tool.SetTag("gen_ai.tool.call.id", "call_1");
        if (fail)
        {
            tool.AddException(new HttpRequestException("503 from orders"));
            tool.SetStatus(ActivityStatusCode.Error, "503 from orders");
        }
        tool.SetEndTime(start.AddMilliseconds(100).UtcDateTime);
    }

    [Fact]
    public async Task Agent_framework_spans_from_the_real_exporter_become_runs_with_their_tokens_calls_and_errors()
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-5);
        (ActivityTraceId Trace, ActivitySpanId Span) ok, failed;
        using (var provider = Exporter(ExportProcessorType.Batch))
        {
            ok = EmitRun(start, fail: false);
            failed = EmitRun(start.AddSeconds(10), fail: true);
            Assert.True(provider.ForceFlush(30_000), "the exporter reported a failed export");
        }

        var items = (JsonArray)(await _host.Client.GetNodeAsync("api/agents/triage-bot/executions"))["items"]!;
        Assert.Equal(2, items.Count);
        var success = items.Single(i => (string?)i!["span_id"] == ok.Span.ToHexString())!;
        var failure = items.Single(i => (string?)i!["span_id"] == failed.Span.ToHexString())!;

        Assert.Equal(SpanIds.ExecutionId(ok.Trace.ToHexString(), ok.Span.ToHexString()).ToString(), (string?)success["id"]);
        Assert.Equal(ok.Trace.ToHexString(), (string?)success["trace_id"]);
        Assert.Equal("success", (string?)success["status"]);
        Assert.Equal(1500, (long)success["duration_ms"]!);
        Assert.Equal(Api.Iso(start), (string?)success["started_at"]);
        Assert.Equal(Api.Iso(start.AddMilliseconds(1500)), (string?)success["completed_at"]);
        AssertMetrics(success, input: 320, output: 75, cacheRead: 64, tools: 1, models: 2);
        Assert.Equal("gpt-4o-mini-2024-07-18", (string?)success["metadata"]!["model"]);
        Assert.Equal("openai", (string?)success["metadata"]!["provider"]);
        Assert.Equal("support-desk", (string?)success["metadata"]!["service_name"]);
        Assert.Equal("1.4.0", (string?)success["metadata"]!["service_version"]);
        Assert.Equal(_source.Name, (string?)success["metadata"]!["scope_name"]);
        Assert.Equal("agent-42", (string?)success["metadata"]!["agent_id"]);

        Assert.Equal("failed", (string?)failure["status"]);
        Assert.Equal("System.InvalidOperationException", (string?)failure["error_type"]);
        Assert.Equal("Order service unavailable", (string?)failure["error_message"]);
        AssertMetrics(failure, input: 120, output: 30, cacheRead: 64, tools: 1, models: 1);

        var agent = await _host.Client.GetNodeAsync("api/agents/triage-bot");
        Assert.Equal("Triage Bot", (string?)agent["display_name"]);
        Assert.Equal("external", (string?)agent["kind"]);
        var stats = (await _host.Client.GetNodeAsync("api/agents/triage-bot/stats?window=1d"))["stats"]!;
        Assert.Equal(2, (long)stats["total_runs"]!);
        Assert.Equal(1, (long)stats["window"]!["success_count"]!);
        Assert.Equal(1, (long)stats["window"]!["failure_count"]!);
        Assert.Equal("Order service unavailable", (string?)stats["last_error"]);
        var sums = stats["window"]!["metrics"]!;
        Assert.Equal((440d, 105d, 128d, 2d, 3d), ((double)sums["input_tokens"]!, (double)sums["output_tokens"]!, (double)sums["cache_read_input_tokens"]!, (double)sums["tool_calls"]!, (double)sums["model_calls"]!));
        Assert.Equal(1500, (double)stats["window"]!["duration_ms"]!["max"]!);
        // The batch's rollups, written per agent and hour, agree with its raw rows.
        var verify = await _host.Services.GetRequiredService<AgentLedger.Storage.Rollups.RollupVerifier>().VerifyAsync(CancellationToken.None);
        Assert.True(verify.Ok, string.Join("; ", verify.Mismatches));
        Assert.Equal(2, verify.ExecutionsRead);
    }

    [Fact]
    public async Task Spans_exported_one_request_each_children_before_their_agent_fold_into_one_run()
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-2);
        using (var provider = Exporter(ExportProcessorType.Simple))
        {
            EmitRun(start, fail: false);
            Assert.True(provider.ForceFlush(30_000));
        }
        var run = Assert.Single((JsonArray)(await _host.Client.GetNodeAsync("api/agents/triage-bot/executions"))["items"]!)!;
        AssertMetrics(run, input: 320, output: 75, cacheRead: 64, tools: 1, models: 2);
        Assert.Equal(0, _host.Database.Scalar("SELECT COUNT(*) FROM otlp_held_spans"));
    }

    private static void AssertMetrics(JsonNode run, double input, double output, double cacheRead, double tools, double models)
    {
        var metrics = run["metrics"]!;
        Assert.Equal(input, (double)metrics["input_tokens"]!);
        Assert.Equal(output, (double)metrics["output_tokens"]!);
        Assert.Equal(cacheRead, (double)metrics["cache_read_input_tokens"]!);
        Assert.Equal(tools, (double)metrics["tool_calls"]!);
        Assert.Equal(models, (double)metrics["model_calls"]!);
    }
}
