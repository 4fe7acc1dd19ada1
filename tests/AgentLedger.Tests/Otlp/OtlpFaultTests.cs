using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using AgentLedger.Server.Cli;
using AgentLedger.Tests.Infrastructure;
using Xunit.Abstractions;
using static AgentLedger.Tests.Otlp.OtlpJson;

namespace AgentLedger.Tests.Otlp;

/// <summary>An OTLP batch is one transaction: a killed process or a database outage leaves each batch whole or absent, never half.</summary>
public sealed class OtlpFaultTests(ITestOutputHelper output)
{
    private const int RunsPerBatch = 200;

    /// <summary>A batch of agent runs in one trace of its own (each with a chat child), so the rows of a batch are its trace's rows.</summary>
    private static (string TraceId, byte[] Body) Batch(string agent)
    {
        var trace = NewTraceId();
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        var spans = Enumerable.Range(0, RunsPerBatch).SelectMany(i =>
        {
            var span = NewSpanId();
            return new[]
            {
                Agent(trace, span, null, agent, start.AddMilliseconds(i), TimeSpan.FromSeconds(2)),
                Chat(trace, NewSpanId(), span, start.AddMilliseconds(i + 10), 100, 20),
            };
        }).ToArray();
        return (trace, Request("fault-service", spans));
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await client.PostAsync("/otel/v1/traces", content);
    }

    private static HttpClient ClientOf(ServerProcess server)
    {
        var client = new HttpClient { BaseAddress = server.Address };
        client.DefaultRequestHeaders.Add("X-Api-Key", LedgerFactory.ApiKey);
        return client;
    }

    [Fact]
    public async Task Kill_9_while_batches_are_written_leaves_each_whole_or_absent_and_a_resend_records_only_the_missing()
    {
        using var db = new TestDatabase();
        var sent = new ConcurrentBag<(string TraceId, byte[] Body)>();
        var acknowledged = new ConcurrentBag<string>();
        using (var server = await ServerProcess.StartAsync(db, "node-otlp"))
        {
            var senders = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
            {
                using var client = ClientOf(server);
                while (true)
                {
                    var batch = Batch($"otlp-fault-{i}");
                    sent.Add(batch);
                    try
                    {
                        using var response = await PostAsync(client, batch.Body);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            acknowledged.Add(batch.TraceId);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // the process is gone: the batch in flight was never acknowledged
                    }
                }
            })).ToList();
            for (var i = 0; i < 600 && acknowledged.Count < 6; i++)
            {
                await Task.Delay(50);
            }
            Assert.True(acknowledged.Count >= 6, "the batches were not being recorded");

            // Four senders keep the single writer busy: the kill lands while a batch's transaction is open.
            server.Kill();
            await Task.WhenAll(senders);
        }

        var counts = sent.ToDictionary(b => b.TraceId, b => db.Scalar($"SELECT COUNT(*) FROM agent_executions WHERE trace_id = '{b.TraceId}'"));
        output.WriteLine($"kill -9 during OTLP ingest: {sent.Count} batches sent, {acknowledged.Count} acknowledged; rows per batch: {string.Join(", ", counts.Values.GroupBy(c => c).Select(g => $"{g.Key}×{g.Count()}"))}");
        Assert.All(counts, c => Assert.True(c.Value is 0 or RunsPerBatch, $"batch {c.Key} left {c.Value} of its {RunsPerBatch} runs"));
        Assert.All(acknowledged, trace => Assert.Equal(RunsPerBatch, counts[trace]));
        var verify = new StringWriter();
        Assert.True(await AdminCli.RunAsync(["verify", .. db.CliArgs()], verify) == 0, verify.ToString());

        // The exporter retries what it never saw acknowledged (and, being unsure, what it did): each run exists once.
        using var restarted = await ServerProcess.StartAsync(db, "node-otlp");
        using var again = ClientOf(restarted);
        foreach (var (_, body) in sent)
        {
            using var response = await PostAsync(again, body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(sent.Count * RunsPerBatch, db.Scalar("SELECT COUNT(*) FROM agent_executions"));
        Assert.True(await AdminCli.RunAsync(["verify", .. db.CliArgs()], verify) == 0, verify.ToString());
    }

    [SkippableFact]
    public async Task PostgreSQL_down_gives_503_with_Retry_After_and_every_acknowledged_batch_is_whole()
    {
        Skip.IfNot(TestDatabase.IsPostgres, "an outage of the PostgreSQL server; SQLite is a file");
        await using var postgres = await PrivatePostgres.StartAsync();
        using var database = new TestDatabase();
        using var server = await ServerProcess.StartAsync(database, "node-otlp-outage", new Dictionary<string, string> { ["Database:ConnectionString"] = postgres.ConnectionString });
        var acknowledged = new ConcurrentBag<(string Agent, string TraceId)>();
        var statuses = new ConcurrentDictionary<int, int>();
        var retryAfterMissing = 0;
        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, 2).Select(i => Task.Run(async () =>
        {
            using var client = ClientOf(server);
            while (!stop.IsCancellationRequested)
            {
                var batch = Batch($"otlp-outage-{i}");
                using var response = await PostAsync(client, batch.Body);
                statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    acknowledged.Add(($"otlp-outage-{i}", batch.TraceId));
                }
                else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    if (response.Headers.RetryAfter is null)
                    {
                        Interlocked.Increment(ref retryAfterMissing);
                    }
                    await Task.Delay(200);
                }
            }
        })).ToList();

        await Task.Delay(1500);
        await postgres.PauseAsync();
        // Longer than the connection's Command Timeout (10 s): a write that waits on the paused server fails.
        await Task.Delay(TimeSpan.FromSeconds(12));
        await postgres.ResumeAsync();
        var resumed = acknowledged.Count;
        for (var i = 0; i < 300 && acknowledged.Count < resumed + 3; i++)
        {
            await Task.Delay(100);
        }
        stop.Cancel();
        await Task.WhenAll(senders);

        output.WriteLine($"PostgreSQL outage 12 s during OTLP ingest: answers {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}; {acknowledged.Count} batches acknowledged");
        Assert.True(!statuses.Keys.Any(s => s >= 500 && s != 503), $"a 5xx other than 503; the server's log:\n{server.Log}");
        Assert.True(statuses.GetValueOrDefault(503) > 0, "no batch saw the outage");
        Assert.Equal(0, retryAfterMissing);
        Assert.True(acknowledged.Count >= resumed + 3, "batches were not recorded again after the database came back");
        using var reader = ClientOf(server);
        foreach (var (agent, trace) in acknowledged)
        {
            var runs = await reader.GetNodeAsync($"/api/agents/{agent}/executions?trace_id={trace}&limit=500");
            Assert.Equal(RunsPerBatch, runs["items"]!.AsArray().Count);
        }
    }
}
