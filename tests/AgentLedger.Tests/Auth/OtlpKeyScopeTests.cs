using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;
using static AgentLedger.Tests.Otlp.OtlpJson;

namespace AgentLedger.Tests.Auth;

/// <summary>A report key's agent patterns apply to the agents an OTLP batch maps to: the rest of the batch is refused in partial_success.</summary>
public sealed class OtlpKeyScopeTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly AuthHost _host;

    public OtlpKeyScopeTests() => _host = new AuthHost(_db);

    public void Dispose()
    {
        _host.Dispose();
        _db.Dispose();
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> ExportAsync(HttpClient client, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync("/otel/v1/traces", content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Fact]
    public async Task A_report_key_records_the_spans_of_its_agents_and_refuses_the_others_writing_nothing_of_them()
    {
        using var reporter = _host.Client(await _host.KeyAsync("field-reporter", "report", "field-*"));
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        string mine = NewTraceId(), theirs = NewTraceId(), mineAgent = NewSpanId(), theirAgent = NewSpanId();
        var before = _db.RowCounts();

        var (status, answer) = await ExportAsync(reporter, Request("svc",
            Agent(mine, mineAgent, null, "field-survey", start, TimeSpan.FromSeconds(2)),
            Chat(mine, NewSpanId(), mineAgent, start, 10, 5),
            Agent(theirs, theirAgent, null, "other", start, TimeSpan.FromSeconds(2)),
            Chat(theirs, NewSpanId(), theirAgent, start, 10, 5)));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("2", (string?)answer!["partialSuccess"]!["rejectedSpans"]);
        Assert.Contains("'other'", (string?)answer["partialSuccess"]!["errorMessage"], StringComparison.Ordinal);
        using var admin = _host.Client();
        var runs = (await admin.GetNodeAsync("/api/agents/field-survey/executions"))["items"]!.AsArray();
        Assert.Equal(mine, (string?)Assert.Single(runs)!["trace_id"]);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/agents/other")).StatusCode);
        Assert.Equal(0, _db.Scalar($"SELECT COUNT(*) FROM agent_executions WHERE trace_id = '{theirs}'"));
        Assert.Equal(0, _db.Scalar($"SELECT COUNT(*) FROM otlp_held_spans WHERE trace_id = '{theirs}'"));
        Assert.Equal(before["agent_executions"] + 1, _db.RowCounts()["agent_executions"]);

        // A read key may not report at all: 403, nothing written.
        using var reader = _host.Client(await _host.KeyAsync("dashboard", "read"));
        var (refused, _) = await ExportAsync(reader, Request("svc", Agent(NewTraceId(), NewSpanId(), null, "field-survey", start, TimeSpan.FromSeconds(1))));
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        Assert.Equal(before["agent_executions"] + 1, _db.RowCounts()["agent_executions"]);
    }
}
