using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using AgentLedger.Bench.Datasets;
using AgentLedger.Bench.Hosting;

namespace AgentLedger.Bench.Scenarios;

/// <summary>
/// External agents reporting finished runs in one call (<c>POST /api/executions</c> with the API
/// key) to the real server process over loopback, from concurrent clients.
/// </summary>
public sealed class IngestScenario(BenchOptions options, Report report)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.DataFolder);
        var path = Path.Combine(options.DataFolder, "ingest.db");
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
        Console.WriteLine($"ingest on SQLite (WAL, synchronous={options.Synchronous}), {options.Concurrency} clients, {options.Rounds} rounds of {options.IngestDuration.TotalSeconds:F1} s:");
        await using var server = await ServerProcess.StartAsync(BenchDatabase.Sqlite(path), options.Synchronous, TimeSpan.Zero, options.DataFolder);
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = server.Address };
        http.DefaultRequestHeaders.Add("X-Api-Key", BenchHost.ApiKey);

        // Warm-up registers the agents and fills the JIT, the pools and this hour's rollup rows.
        await LoadAsync(http, TimeSpan.FromSeconds(options.Quick ? 0.5 : 2), [], cancellationToken);
        var rates = new List<double>();
        var latencies = new List<double>();
        for (var round = 0; round < options.Rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            var count = await LoadAsync(http, options.IngestDuration, latencies, cancellationToken);
            rates.Add(count / clock.Elapsed.TotalSeconds);
        }
        // The same server, the same run: OTLP batches beside the one-call reports, so the ratio compares like with like.
        await OtlpBatches.LoadAsync(http, options.Concurrency, TimeSpan.Zero, [], cancellationToken);
        var otlpRates = new List<double>();
        var otlpLatencies = new List<double>();
        for (var round = 0; round < options.Rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            var runs = await OtlpBatches.LoadAsync(http, options.Concurrency, options.IngestDuration, otlpLatencies, cancellationToken);
            otlpRates.Add(runs / clock.Elapsed.TotalSeconds);
        }
        var peak = server.PeakWorkingSetBytes / 1024.0 / 1024.0;
        var rate = Summary.Of(rates);
        var latency = Summary.Of(latencies);
        var otlpRate = Summary.Of(otlpRates);
        var ratio = otlpRate.Median / rate.Median;
        report.Add(new ResultRow("ingest", "SQLite", "–", $"POST /api/executions (finished run), {options.Concurrency} clients: runs/s", "/s", rate,
            Target: "≥ 2 000 /s", Met: rate.Median >= 2000));
        report.Add(new ResultRow("ingest", "SQLite", "–", "same, latency per report", "ms", latency,
            Target: "p99 ≤ 20 ms", Met: latency.P99 <= 20,
            Note: string.Create(CultureInfo.InvariantCulture, $"p99 {latency.P99:F1} ms")));
        report.Add(new ResultRow("ingest", "SQLite", "–",
            $"POST /otel/v1/traces, batches of {OtlpBatches.AgentSpans} agent spans (+2 children each), {options.Concurrency} clients: runs/s", "/s", otlpRate,
            Baseline: "one-call POST /api/executions", BaselineValue: rate, Ratio: ratio,
            Target: "≥ 10× one-call", Met: ratio >= 10,
            Note: string.Create(CultureInfo.InvariantCulture, $"{ratio:F1}× one-call; p50 {Summary.Of(otlpLatencies).Median:F0} ms per batch")));
        report.Note(string.Create(CultureInfo.InvariantCulture,
            $"ingest: p99 latency {latency.P99:F1} ms over {latency.Count:N0} reports; server peak working set {peak:F0} MB; SQLite WAL synchronous={options.Synchronous}."));
    }

    private async Task<long> LoadAsync(HttpClient http, TimeSpan duration, List<double> latencies, CancellationToken cancellationToken)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var clients = Enumerable.Range(0, options.Concurrency).Select(client => Task.Run(async () =>
        {
            var random = new Random(client);
            var mine = new List<double>();
            while (Stopwatch.GetTimestamp() < until)
            {
                using var content = new StringContent(Report(client, random), Encoding.UTF8);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync("/api/executions", content, cancellationToken);
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if ((int)response.StatusCode != 201)
                {
                    throw new InvalidOperationException($"POST /api/executions answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                }
            }
            return mine;
        }, cancellationToken)).ToList();
        var all = await Task.WhenAll(clients);
        lock (latencies)
        {
            latencies.AddRange(all.SelectMany(l => l));
        }
        return all.Sum(l => l.Count);
    }

    /// <summary>A finished run as an external agent reports it: mostly successes with metrics, some failures.</summary>
    private static string Report(int client, Random random)
    {
        var completed = DateTimeOffset.UtcNow;
        var started = completed - TimeSpan.FromMilliseconds(random.Next(50, 5_000));
        var agent = $"ingest-agent-{client}";
        return random.Next(20) == 0
            ? string.Create(CultureInfo.InvariantCulture,
                $$"""{"agent_name":"{{agent}}","started_at":"{{started:O}}","completed_at":"{{completed:O}}","status":"failed","error_type":"HttpRequestException","error_message":"upstream answered 503"}""")
            : string.Create(CultureInfo.InvariantCulture,
                $$$"""{"agent_name":"{{{agent}}}","started_at":"{{{started:O}}}","completed_at":"{{{completed:O}}}","status":"success","resources_processed":{{{random.Next(1, 400)}}},"metrics":{"items_checked":{{{random.Next(1, 400)}}},"matches_found":{{{random.Next(0, 5)}}}},"metadata":{"version":"1.4.0"}}""");
    }
}
