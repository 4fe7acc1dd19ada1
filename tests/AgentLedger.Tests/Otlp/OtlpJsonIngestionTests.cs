using System.Net;
using System.Text.Json.Nodes;
using AgentLedger.Server.Otlp.Proto;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static AgentLedger.Tests.Otlp.OtlpJson;

namespace AgentLedger.Tests.Otlp;

/// <summary>OTLP/JSON as SDKs write it (and get wrong), over a real socket into a real database.</summary>
public sealed class OtlpJsonIngestionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly OtlpHost _host;

    public OtlpJsonIngestionTests() => _host = new OtlpHost(_time);

    public void Dispose() => _host.Dispose();

    private async Task<JsonNode> ExportAsync(byte[] body, bool gzip = false)
    {
        using var response = await _host.PostTracesAsync(body, "application/json", gzip);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!;
    }

    private async Task<JsonArray> RunsAsync(string agent, string? traceId = null) =>
        (JsonArray)(await _host.Client.GetNodeAsync($"api/agents/{agent}/executions{(traceId is null ? "" : $"?trace_id={traceId}")}"))["items"]!;

    [Fact]
    public async Task Ints_as_strings_and_upper_case_ids_become_one_run_whose_figures_come_from_the_agent_span_first_then_its_children()
    {
        var trace = NewTraceId().ToUpperInvariant();
        var agent = NewSpanId().ToUpperInvariant();
        var start = Now.AddMinutes(-10);
        var body = Request("billing-service",
            Chat(trace, NewSpanId(), agent, start.AddSeconds(1), 40, 7, Double("gen_ai.usage.cost", 0.0125)),
            Chat(trace, NewSpanId().ToUpperInvariant(), agent, start.AddSeconds(2), 60, 5, Str("gen_ai.response.model", "gpt-4o-mini-2024-07-18")),
            Tool(trace, NewSpanId(), agent, start.AddSeconds(3), "lookup_invoice"),
            // The agent span carries its own input total: the children's input tokens must not be added to it.
            Agent(trace, agent, null, "Invoice Helper", start, TimeSpan.FromMilliseconds(4250), IntText("gen_ai.usage.input_tokens", 100),
                Str("gen_ai.conversation.id", "conv-7"), IntText("agentledger.proposals.created", 2)));

        var answer = await ExportAsync(body);

        Assert.Null(answer["partialSuccess"]);
        var run = Assert.Single(await RunsAsync("invoice-helper"));
        Assert.Equal(trace.ToLowerInvariant(), (string?)run!["trace_id"]);
        Assert.Equal(agent.ToLowerInvariant(), (string?)run["span_id"]);
        Assert.Equal("success", (string?)run["status"]);
        Assert.Equal("external", (string?)run["trigger"]);
        Assert.Equal(4250, (long)run["duration_ms"]!);
        Assert.Equal(Api.Iso(start), (string?)run["started_at"]);
        Assert.Equal(2, (int)run["proposals_created"]!);
        var metrics = run["metrics"]!;
        Assert.Equal(100, (double)metrics["input_tokens"]!);
        Assert.Equal(12, (double)metrics["output_tokens"]!);
        Assert.Equal(0.0125, (double)metrics["cost"]!, 10);
        Assert.Equal(1, (double)metrics["tool_calls"]!);
        Assert.Equal(2, (double)metrics["model_calls"]!);
        var metadata = run["metadata"]!;
        Assert.Equal("otlp", (string?)metadata["source"]);
        Assert.Equal("gpt-4o-mini", (string?)metadata["model"]);
        Assert.Equal("openai", (string?)metadata["provider"]);
        Assert.Equal("conv-7", (string?)metadata["conversation_id"]);
        Assert.Equal("billing-service", (string?)metadata["service_name"]);
        Assert.Equal("2.0.1", (string?)metadata["service_version"]);
        Assert.Equal("test.agents", (string?)metadata["scope_name"]);

        Assert.Equal("Invoice Helper", (string?)(await _host.Client.GetNodeAsync("api/agents/invoice-helper"))["display_name"]);
        // Filtering by trace id accepts either case; another trace finds nothing.
        Assert.Single(await RunsAsync("invoice-helper", trace));
        Assert.Single(await RunsAsync("invoice-helper", trace.ToLowerInvariant()));
        Assert.Empty(await RunsAsync("invoice-helper", NewTraceId()));
        var stats = (await _host.Client.GetNodeAsync("api/agents/invoice-helper/stats?window=1d"))["stats"]!;
        Assert.Equal(1, (long)stats["total_runs"]!);
        Assert.Equal(2, (long)stats["window"]!["proposals_created"]!);
        Assert.Equal(12, (double)stats["window"]!["metrics"]!["output_tokens"]!);
    }

    [Fact]
    public async Task A_gzip_body_is_read_and_the_same_batch_sent_again_records_nothing_new()
    {
        var trace = NewTraceId();
        var agent = NewSpanId();
        var start = Now.AddMinutes(-3);
        var body = Request("svc", Chat(trace, NewSpanId(), agent, start, 10, 3), Agent(trace, agent, null, "gzip-agent", start, TimeSpan.FromSeconds(2)));

        await ExportAsync(body, gzip: true);
        var before = _host.Database.RowCounts();
        var again = await ExportAsync(body, gzip: true);
        var plain = await ExportAsync(body);

        Assert.Null(again["partialSuccess"]);
        Assert.Null(plain["partialSuccess"]);
        Assert.Equal(before, _host.Database.RowCounts());
        var run = Assert.Single(await RunsAsync("gzip-agent"));
        Assert.Equal(10, (double)run!["metrics"]!["input_tokens"]!);
        Assert.Equal(1, (double)run["metrics"]!["model_calls"]!);
        var stats = (await _host.Client.GetNodeAsync("api/agents/gzip-agent/stats?window=1d"))["stats"]!;
        Assert.Equal(1, (long)stats["total_runs"]!);
        Assert.Equal(10, (double)stats["window"]!["metrics"]!["input_tokens"]!);
    }

    [Fact]
    public async Task A_batch_several_times_larger_than_the_first_read_buffer_is_read_whole_from_gzip_and_from_plain_bytes()
    {
        // 64 KiB is where the body buffer starts; a gzip body's decoded length is not known beforehand, so it grows.
        var start = Now.AddMinutes(-3);
        (byte[] Body, string[] Traces) Batch()
        {
            var spans = new List<JsonObject>();
            var traces = new string[200];
            for (var i = 0; i < traces.Length; i++)
            {
                var (trace, agent) = (traces[i] = NewTraceId(), NewSpanId());
                spans.Add(Chat(trace, NewSpanId(), agent, start, 7, 2));
                spans.Add(Agent(trace, agent, null, "bulk-agent", start, TimeSpan.FromSeconds(1)));
            }
            return (Request("svc", [.. spans]), traces);
        }
        var (zipped, zippedTraces) = Batch();
        var (plain, plainTraces) = Batch();
        Assert.True(zipped.Length > 2 * 64 * 1024, $"the batch is {zipped.Length} bytes");

        Assert.Null((await ExportAsync(zipped, gzip: true))["partialSuccess"]);
        Assert.Null((await ExportAsync(plain))["partialSuccess"]);

        var stats = (await _host.Client.GetNodeAsync("api/agents/bulk-agent/stats?window=1d"))["stats"]!;
        Assert.Equal(400, (long)stats["total_runs"]!);
        Assert.Equal(400 * 7, (double)stats["window"]!["metrics"]!["input_tokens"]!);
        Assert.Single(await RunsAsync("bulk-agent", zippedTraces[^1]));
        Assert.Single(await RunsAsync("bulk-agent", plainTraces[^1]));
    }

    [Fact]
    public async Task A_child_that_arrives_before_its_agent_span_is_held_and_folded_into_the_run_when_the_agent_span_comes()
    {
        var trace = NewTraceId();
        var agent = NewSpanId();
        var tool = NewSpanId();
        var start = Now.AddMinutes(-5);

        // The tool span's own child (a chat inside the tool) arrives first of all, then the tool, then the agent.
        await ExportAsync(Request("svc", Chat(trace, NewSpanId(), tool, start.AddSeconds(1), 30, 4)));
        await ExportAsync(Request("svc", Tool(trace, tool, agent, start, "search")));
        Assert.Equal(2, _host.Database.Scalar("SELECT COUNT(*) FROM otlp_held_spans"));
        Assert.Equal(0, _host.Database.Scalar("SELECT COUNT(*) FROM agent_executions"));

        _time.Advance(TimeSpan.FromMinutes(1));
        await ExportAsync(Request("svc", Agent(trace, agent, null, "late-parent", start, TimeSpan.FromSeconds(5))));

        Assert.Equal(0, _host.Database.Scalar("SELECT COUNT(*) FROM otlp_held_spans"));
        var run = Assert.Single(await RunsAsync("late-parent"));
        Assert.Equal(30, (double)run!["metrics"]!["input_tokens"]!);
        Assert.Equal(1, (double)run["metrics"]!["tool_calls"]!);
        Assert.Equal(1, (double)run["metrics"]!["model_calls"]!);

        // The children sent again after their run was recorded are recognised, not held again.
        await ExportAsync(Request("svc", Tool(trace, tool, agent, start, "search")));
        Assert.Equal(0, _host.Database.Scalar("SELECT COUNT(*) FROM otlp_held_spans"));
    }

    [Fact]
    public async Task A_child_whose_agent_span_never_comes_is_held_for_orphan_hours_then_dropped_and_counted()
    {
        var trace = NewTraceId();
        await ExportAsync(Request("svc", Chat(trace, NewSpanId(), NewSpanId(), Now.AddMinutes(-1), 5, 5)));
        Assert.Equal(1, _host.Database.Scalar("SELECT COUNT(*) FROM otlp_held_spans"));

        _time.Advance(TimeSpan.FromHours(11));
        await ExportAsync(Request("svc", Tool(NewTraceId(), NewSpanId(), NewSpanId(), _time.GetUtcNow().AddSeconds(-1), "t")));
        Assert.Equal(2, _host.Database.Scalar("SELECT COUNT(*) FROM otlp_held_spans"));

        _time.Advance(TimeSpan.FromHours(1.5));
        await ExportAsync(Request("svc", Agent(NewTraceId(), NewSpanId(), null, "unrelated", _time.GetUtcNow().AddSeconds(-2), TimeSpan.FromSeconds(1))));

        // The first child is past 12 h and dropped; the second (1.5 h old) is still waiting.
        Assert.Equal(1, _host.Database.Scalar("SELECT COUNT(*) FROM otlp_held_spans"));
        var metrics = await _host.Client.GetStringAsync("metrics");
        Assert.Matches(new System.Text.RegularExpressions.Regex("^otlp_orphan_spans_total\\{otel_scope_name=\"AgentLedger\"\\} 1( |$)", System.Text.RegularExpressions.RegexOptions.Multiline), metrics);
        Assert.Equal(0, _host.Database.Scalar("SELECT COUNT(*) FROM agent_executions WHERE trace_id = '" + trace + "'"));
    }

    [Fact]
    public async Task Nested_agents_are_nested_runs_and_each_child_counts_only_in_its_nearest_agent()
    {
        var trace = NewTraceId();
        var outer = NewSpanId();
        var handoff = NewSpanId();
        var inner = NewSpanId();
        var start = Now.AddMinutes(-2);
        await ExportAsync(Request("svc",
            Chat(trace, NewSpanId(), inner, start.AddSeconds(2), 11, 1),
            Tool(trace, NewSpanId(), inner, start.AddSeconds(2), "inner_tool"),
            Agent(trace, inner, handoff, "researcher", start.AddSeconds(1), TimeSpan.FromSeconds(3)),
            Tool(trace, handoff, outer, start.AddSeconds(1), "delegate"),
            Chat(trace, NewSpanId(), outer, start, 7, 2),
            Agent(trace, outer, null, "planner", start, TimeSpan.FromSeconds(6))));

        var planner = Assert.Single(await RunsAsync("planner"))!;
        var researcher = Assert.Single(await RunsAsync("researcher"))!;
        Assert.Equal((string?)planner["id"], (string?)researcher["parent_execution_id"]);
        Assert.Null(planner["parent_execution_id"]);
        Assert.Equal((7d, 1d, 1d), ((double)planner["metrics"]!["input_tokens"]!, (double)planner["metrics"]!["tool_calls"]!, (double)planner["metrics"]!["model_calls"]!));
        Assert.Equal((11d, 1d, 1d), ((double)researcher["metrics"]!["input_tokens"]!, (double)researcher["metrics"]!["tool_calls"]!, (double)researcher["metrics"]!["model_calls"]!));
    }

    [Theory]
    [InlineData("System.TimeoutException", "timeout")]
    [InlineData("System.Threading.Tasks.TaskCanceledException", "cancelled")]
    [InlineData("System.InvalidOperationException", "failed")]
    public async Task An_error_status_is_failed_unless_the_error_type_says_timeout_or_cancel(string errorType, string status)
    {
        var trace = NewTraceId();
        var agent = NewSpanId();
        var start = Now.AddMinutes(-1);
        var span = Span(trace, agent, null, "invoke_agent Checker", start, TimeSpan.FromSeconds(1),
            [Str("gen_ai.operation.name", "invoke_agent"), Str("gen_ai.agent.id", "Checker #2!")], statusCode: 2,
            events: [ExceptionEvent(start.AddMilliseconds(900), errorType, "the order service did not answer")]);

        await ExportAsync(Request("svc", span));

        var run = Assert.Single(await RunsAsync("checker-2"))!;
        Assert.Equal(status, (string?)run["status"]);
        Assert.Equal(errorType, (string?)run["error_type"]);
        Assert.Equal("the order service did not answer", (string?)run["error_message"]);
        Assert.Equal("Checker #2!", (string?)(await _host.Client.GetNodeAsync("api/agents/checker-2"))["display_name"]);
    }

    [Fact]
    public async Task Spans_of_a_disabled_agent_and_unreadable_spans_are_refused_in_partial_success_and_nothing_of_them_is_written()
    {
        var start = Now.AddMinutes(-1);
        var first = NewTraceId();
        await ExportAsync(Request("svc", Agent(first, NewSpanId(), null, "paused-agent", start, TimeSpan.FromSeconds(1))));
        using (var disable = await _host.Client.PutJsonAsync("api/agents/paused-agent/settings", new { enabled = false }))
        {
            Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        }
        var before = _host.Database.RowCounts();
        var trace = NewTraceId();
        var agent = NewSpanId();
        var future = Span(NewTraceId(), NewSpanId(), null, "invoke_agent soon", Now.AddHours(1), TimeSpan.FromSeconds(1), [Str("gen_ai.operation.name", "invoke_agent")]);
        var badId = Span("abcd", NewSpanId(), null, "chat", start, TimeSpan.FromSeconds(1), [Str("gen_ai.operation.name", "chat")]);

        var answer = await ExportAsync(Request("svc",
            Chat(trace, NewSpanId(), agent, start, 3, 3), Agent(trace, agent, null, "paused-agent", start, TimeSpan.FromSeconds(2)), future, badId));

        Assert.Equal("4", (string?)answer["partialSuccess"]!["rejectedSpans"]);
        var message = (string?)answer["partialSuccess"]!["errorMessage"];
        Assert.Contains("paused-agent", message);
        Assert.Contains("future", message);
        Assert.Contains("trace_id", message);
        Assert.Equal(before, _host.Database.RowCounts());
        Assert.Equal(0, _host.Database.Scalar("SELECT COUNT(*) FROM otlp_held_spans"));
    }

    [Fact]
    public async Task Content_attributes_are_dropped_unless_keep_content_is_set()
    {
        var start = Now.AddMinutes(-1);
        byte[] Body(string trace) => Request("svc", Agent(trace, NewSpanId(), null, "talker", start, TimeSpan.FromSeconds(1),
            Str("gen_ai.input.messages", "[{\"role\":\"user\",\"content\":\"my card number is 4111\"}]")));
        var dropped = NewTraceId();
        await ExportAsync(Body(dropped));
        Assert.DoesNotContain("4111", Assert.Single(await RunsAsync("talker"))!.ToJsonString());

        using var keeping = new OtlpHost(_time, new Dictionary<string, string?> { ["AgentLedger:Otlp:KeepContent"] = "true" });
        using var response = await keeping.PostTracesAsync(Body(NewTraceId()), "application/json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var kept = (JsonArray)(await keeping.Client.GetNodeAsync("api/agents/talker/executions"))["items"]!;
        Assert.Contains("4111", (string?)Assert.Single(kept)!["metadata"]!["gen_ai.input.messages"]);
    }

    [Fact]
    public async Task Bodies_that_cannot_be_taken_are_answered_the_otlp_way()
    {
        var before = _host.Database.RowCounts();

        // Garbage bytes as protobuf: a google.rpc.Status, protobuf-encoded like the request.
        using (var garbage = await _host.PostTracesAsync([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01], "application/x-protobuf"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
            Assert.Equal("application/x-protobuf", garbage.Content.Headers.ContentType?.MediaType);
            var status = RpcStatus.Parser.ParseFrom(await garbage.Content.ReadAsByteArrayAsync());
            Assert.Equal(3, status.Code);
            Assert.Contains("protobuf", status.Message);
        }
        using (var notJson = await _host.PostTracesAsync("{\"resourceSpans\": [tru"u8.ToArray(), "application/json"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
            Assert.Contains("not valid JSON", (string?)(await notJson.ReadNodeAsync())["message"]);
        }
        using (var badHex = await _host.PostTracesAsync(Request("svc", Span("zz" + NewTraceId()[2..], NewSpanId(), null, "x", Now, TimeSpan.Zero)), "application/json"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badHex.StatusCode);
            Assert.Contains("traceId", (string?)(await badHex.ReadNodeAsync())["message"]);
        }
        using (var notGzip = await _host.PostTracesAsync("plain"u8.ToArray(), "application/json", contentEncoding: "gzip"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notGzip.StatusCode);
            Assert.Contains("gzip", (string?)(await notGzip.ReadNodeAsync())["message"]);
        }
        using (var brotli = await _host.PostTracesAsync("{}"u8.ToArray(), "application/json", contentEncoding: "br"))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, brotli.StatusCode);
        }
        using (var text = await _host.PostTracesAsync("hello"u8.ToArray(), "text/plain"))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
            Assert.Contains("application/x-protobuf", (string?)(await text.ReadNodeAsync())["message"]);
        }
        using (var anonymous = await _host.PostTracesAsync(Request("svc"), "application/json", withKey: false))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
        foreach (var signal in new[] { "metrics", "logs" })
        {
            using var other = await _host.Client.PostAsync($"otel/v1/{signal}", new ByteArrayContent([]));
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
            Assert.Contains("/otel/v1/traces", (string?)(await other.ReadNodeAsync())["detail"]);
        }
        Assert.Equal(before, _host.Database.RowCounts());
    }

    [Fact]
    public async Task A_body_over_16_MiB_is_refused_with_413_also_when_gzip_makes_it_small_on_the_wire()
    {
        var huge = new byte[(16 * 1024 * 1024) + 10];
        Array.Fill(huge, (byte)' ');
        huge[0] = (byte)'{';
        huge[^1] = (byte)'}';

        using (var raw = await _host.PostTracesAsync(huge, "application/json"))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, raw.StatusCode);
            Assert.Contains("16 MiB", (string?)(await raw.ReadNodeAsync())["message"]);
        }
        var compressed = OtlpHost.Gzip(huge);
        Assert.True(compressed.Length < 1024 * 1024, $"{compressed.Length} bytes on the wire");
        using (var bomb = await _host.PostTracesAsync(huge, "application/json", gzip: true))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, bomb.StatusCode);
        }
        // Just under the limit is taken.
        var fits = new byte[16 * 1024 * 1024];
        Array.Fill(fits, (byte)' ');
        fits[0] = (byte)'{';
        fits[^1] = (byte)'}';
        using var taken = await _host.PostTracesAsync(fits, "application/json", gzip: true);
        Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
    }
}
