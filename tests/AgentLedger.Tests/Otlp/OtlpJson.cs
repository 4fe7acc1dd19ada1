using System.Globalization;
using System.Text.Json.Nodes;

namespace AgentLedger.Tests.Otlp;

/// <summary>Hand-written OTLP/JSON bodies, as SDKs send them: lowerCamelCase, hex ids, 64-bit integers as strings.</summary>
public static class OtlpJson
{
    public static string NewTraceId() => Guid.NewGuid().ToString("N");

    public static string NewSpanId() => Guid.NewGuid().ToString("N")[..16];

    public static string Nanos(DateTimeOffset at) => ((at - DateTimeOffset.UnixEpoch).Ticks * 100).ToString(CultureInfo.InvariantCulture);

    public static JsonObject Str(string key, string value) => new() { ["key"] = key, ["value"] = new JsonObject { ["stringValue"] = value } };

    /// <summary>An int attribute the OTLP/JSON way: the value as a decimal string.</summary>
    public static JsonObject IntText(string key, long value) => new() { ["key"] = key, ["value"] = new JsonObject { ["intValue"] = value.ToString(CultureInfo.InvariantCulture) } };

    public static JsonObject Int(string key, long value) => new() { ["key"] = key, ["value"] = new JsonObject { ["intValue"] = value } };

    public static JsonObject Double(string key, double value) => new() { ["key"] = key, ["value"] = new JsonObject { ["doubleValue"] = value } };

    public static JsonObject Span(
        string traceId, string spanId, string? parentSpanId, string name, DateTimeOffset start, TimeSpan duration,
        IEnumerable<JsonObject>? attributes = null, int statusCode = 0, string? statusMessage = null, IEnumerable<JsonObject>? events = null)
    {
        var span = new JsonObject
        {
            ["traceId"] = traceId,
            ["spanId"] = spanId,
            ["parentSpanId"] = parentSpanId ?? "",
            ["name"] = name,
            ["kind"] = 1,
            ["startTimeUnixNano"] = Nanos(start),
            ["endTimeUnixNano"] = Nanos(start + duration),
            ["attributes"] = new JsonArray([.. (attributes ?? []).Select(a => (JsonNode)a)]),
            ["status"] = new JsonObject { ["code"] = statusCode },
        };
        if (statusMessage is not null)
        {
            span["status"]!["message"] = statusMessage;
        }
        if (events is not null)
        {
            span["events"] = new JsonArray([.. events.Select(e => (JsonNode)e)]);
        }
        return span;
    }

    public static JsonObject ExceptionEvent(DateTimeOffset at, string type, string message) => new()
    {
        ["timeUnixNano"] = Nanos(at),
        ["name"] = "exception",
        ["attributes"] = new JsonArray(Str("exception.type", type), Str("exception.message", message)),
    };

    public static byte[] Request(string serviceName, params JsonObject[] spans) =>
        System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["resourceSpans"] = new JsonArray(new JsonObject
            {
                ["resource"] = new JsonObject { ["attributes"] = new JsonArray(Str("service.name", serviceName), Str("service.version", "2.0.1")) },
                ["scopeSpans"] = new JsonArray(new JsonObject
                {
                    ["scope"] = new JsonObject { ["name"] = "test.agents", ["version"] = "1.0" },
                    ["spans"] = new JsonArray([.. spans.Select(s => (JsonNode)s)]),
                }),
            }),
        }.ToJsonString());

    public static JsonObject Agent(string traceId, string spanId, string? parent, string agentName, DateTimeOffset start, TimeSpan duration, params JsonObject[] more) =>
        Span(traceId, spanId, parent, $"invoke_agent {agentName}", start, duration,
            [Str("gen_ai.operation.name", "invoke_agent"), Str("gen_ai.agent.name", agentName), .. more]);

    public static JsonObject Chat(string traceId, string spanId, string parent, DateTimeOffset start, long input, long output, params JsonObject[] more) =>
        Span(traceId, spanId, parent, "chat gpt-4o-mini", start, TimeSpan.FromMilliseconds(300),
            [Str("gen_ai.operation.name", "chat"), Str("gen_ai.request.model", "gpt-4o-mini"), Str("gen_ai.provider.name", "openai"),
             IntText("gen_ai.usage.input_tokens", input), IntText("gen_ai.usage.output_tokens", output), .. more]);

    public static JsonObject Tool(string traceId, string spanId, string parent, DateTimeOffset start, string tool) =>
        Span(traceId, spanId, parent, $"execute_tool {tool}", start, TimeSpan.FromMilliseconds(50),
            [Str("gen_ai.operation.name", "execute_tool"), Str("gen_ai.tool.name", tool)]);
}
