using System.Diagnostics;
using System.Net.Http.Headers;
using AgentLedger.Server.Otlp.Proto;
using Google.Protobuf;

namespace AgentLedger.Bench.Scenarios;

/// <summary>
/// OTLP/HTTP protobuf batches as an OpenTelemetry SDK's batch processor sends them: each agent span with a
/// chat and an execute_tool child, every span new (fresh ids), so every batch records its runs.
/// </summary>
internal static class OtlpBatches
{
    public const int AgentSpans = 512;

    /// <summary>Posts batches from concurrent clients until <paramref name="duration"/> ends; returns the runs recorded.</summary>
    public static async Task<long> LoadAsync(HttpClient http, int concurrency, TimeSpan duration, List<double> latencies, CancellationToken cancellationToken)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var clients = Enumerable.Range(0, concurrency).Select(client => Task.Run(async () =>
        {
            var random = new Random(1000 + client);
            var mine = new List<double>();
            do
            {
                using var content = new ByteArrayContent(Batch(client, random).ToByteArray());
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                var started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync("/otel/v1/traces", content, cancellationToken);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if ((int)response.StatusCode != 200 || ExportTraceServiceResponse.Parser.ParseFrom(body).PartialSuccess is { RejectedSpans: > 0 } refused)
                {
                    throw new InvalidOperationException($"POST /otel/v1/traces answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
                }
            }
            while (Stopwatch.GetTimestamp() < until);
            return mine;
        }, cancellationToken)).ToList();
        var all = await Task.WhenAll(clients);
        lock (latencies)
        {
            latencies.AddRange(all.SelectMany(l => l));
        }
        return all.Sum(l => (long)l.Count) * AgentSpans;
    }

    private static ExportTraceServiceRequest Batch(int client, Random random)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "Experimental.Microsoft.Agents.AI", Version = "1.28.0" } };
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < AgentSpans; i++)
        {
            var trace = ByteString.CopyFrom(Guid.NewGuid().ToByteArray());
            var agent = Id(random);
            // An SDK's batch processor exports every 5 s (or at 512 spans, sooner), so a batch's spans ended in the last
            // few seconds, as the one-call reports' runs do; a 60 s spread scattered each agent's time-index inserts
            // over a minute of history (about 30 % fewer runs/s, measured 2026-12-04).
            var end = now.AddMilliseconds(-random.Next(0, 5_000));
            var start = end.AddMilliseconds(-random.Next(200, 8_000));
            var failed = random.Next(20) == 0;
            var agentSpan = Span(trace, agent, ByteString.Empty, $"invoke_agent ingest-agent-{client}", start, end,
                Text("gen_ai.operation.name", "invoke_agent"), Text("gen_ai.agent.name", $"otlp-agent-{client}-{i % 4}"), Text("gen_ai.provider.name", "openai"));
            if (failed)
            {
                agentSpan.Status = new SpanStatus { Code = 2, Message = "upstream answered 503" };
                agentSpan.Attributes.Add(Text("error.type", "HttpRequestException"));
            }
            scope.Spans.Add(Span(trace, Id(random), agent, "chat gpt-4o-mini", start.AddMilliseconds(10), start.AddMilliseconds(150),
                Text("gen_ai.operation.name", "chat"), Text("gen_ai.request.model", "gpt-4o-mini"),
                Int("gen_ai.usage.input_tokens", random.Next(50, 2_000)), Int("gen_ai.usage.output_tokens", random.Next(5, 400))));
            scope.Spans.Add(Span(trace, Id(random), agent, "execute_tool lookup", start.AddMilliseconds(160), start.AddMilliseconds(190),
                Text("gen_ai.operation.name", "execute_tool"), Text("gen_ai.tool.name", "lookup")));
            scope.Spans.Add(agentSpan);
        }
        var resource = new Resource();
        resource.Attributes.Add(Text("service.name", $"bench-client-{client}"));
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(new ResourceSpans { Resource = resource, ScopeSpans = { scope } });
        return request;
    }

    private static ByteString Id(Random random)
    {
        var bytes = new byte[8];
        random.NextBytes(bytes);
        bytes[0] |= 1;
        return ByteString.CopyFrom(bytes);
    }

    private static Span Span(ByteString trace, ByteString id, ByteString parent, string name, DateTimeOffset start, DateTimeOffset end, params KeyValue[] attributes)
    {
        var span = new Span
        {
            TraceId = trace,
            SpanId = id,
            ParentSpanId = parent,
            Name = name,
            Kind = 1,
            StartTimeUnixNano = (ulong)(start - DateTimeOffset.UnixEpoch).Ticks * 100,
            EndTimeUnixNano = (ulong)(end - DateTimeOffset.UnixEpoch).Ticks * 100,
        };
        span.Attributes.Add(attributes);
        return span;
    }

    private static KeyValue Text(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static KeyValue Int(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };
}
