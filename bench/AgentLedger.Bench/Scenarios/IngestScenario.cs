using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using AgentLedger.Bench.Datasets;
using AgentLedger.Bench.Hosting;
using Microsoft.Data.Sqlite;

namespace AgentLedger.Bench.Scenarios;

/// <summary>
/// External agents reporting finished runs in one call (<c>POST /api/executions</c> with the API
/// key) to the real server process over loopback, from concurrent clients.
/// </summary>
public sealed class IngestScenario(BenchOptions options, Report report)
{
    /// <summary>A few dashboards refreshing: stats under load must not be a load of its own.</summary>
    private static readonly TimeSpan StatsPause = TimeSpan.FromMilliseconds(250);

    private static readonly IReadOnlyDictionary<string, double> RawMetrics = new Dictionary<string, double> { ["items_checked"] = 12, ["matches_found"] = 2 };

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
        RawSingleTransaction(path, options.Quick ? 50 : 300, []);
        var idleStats = new List<double>();
        // The stats path is re-compiled by tiered JIT for its first few hundred requests (see the stats scenario): warm it first.
        await SampleStatsAsync(http, options.Quick ? 10 : 400, [], TimeSpan.Zero, cancellationToken);
        await SampleStatsAsync(http, options.Quick ? 10 : 60, idleStats, StatsPause, cancellationToken);

        var rates = new List<double>();
        var latencies = new List<double>();
        var rawRates = new List<double>();
        var rawLatencies = new List<double>();
        var busyStats = new List<double>();
        TimeSpan serverCpu = TimeSpan.Zero, rawCpu = TimeSpan.Zero;
        long reports = 0, rawRuns = 0;
        using var self = Process.GetCurrentProcess();
        for (var round = 0; round < options.Rounds; round++)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var sampler = SampleStatsAsync(http, int.MaxValue, busyStats, StatsPause, stop.Token);
            var cpu = server.CpuTime;
            var clock = Stopwatch.StartNew();
            var count = await LoadAsync(http, options.IngestDuration, latencies, cancellationToken);
            rates.Add(count / clock.Elapsed.TotalSeconds);
            serverCpu += server.CpuTime - cpu;
            reports += count;
            await stop.CancelAsync();
            await sampler;
            // The raw limit on the same file while the server is idle, as many runs as the server took this round.
            var runs = (int)Math.Clamp(count, 200, 20_000);
            self.Refresh();
            var before = self.TotalProcessorTime;
            rawRates.Add(RawSingleTransaction(path, runs, rawLatencies));
            self.Refresh();
            rawCpu += self.TotalProcessorTime - before;
            rawRuns += runs / options.Concurrency * options.Concurrency;
        }
        // The same server, the same run: OTLP batches beside the one-call reports, so the ratio compares like with like.
        var otlp = await OtlpAsync(server, http, cancellationToken);
        var peak = server.PeakWorkingSetBytes / 1024.0 / 1024.0;
        var alone = await WithoutGroupCommitAsync(cancellationToken);
        var rate = Summary.Of(rates);
        var latency = Summary.Of(latencies);
        var rawRate = Summary.Of(rawRates);
        var rawLatency = Summary.Of(rawLatencies);
        var rawRatio = rate.Median / rawRate.Median;
        var latencyRatio = latency.P99 / rawLatency.P99;
        var idle = Summary.Of(idleStats);
        var busy = Summary.Of(busyStats);
        report.Add(new ResultRow("ingest", "SQLite", "–", $"POST /api/executions (finished run), {options.Concurrency} clients: runs/s", "/s", rate,
            Baseline: "raw: one transaction per run (INSERT + rollups, Microsoft.Data.Sqlite)", BaselineValue: rawRate, Ratio: rawRatio,
            Target: "≥ 3× raw", Met: rawRatio >= 3));
        report.Add(new ResultRow("ingest", "SQLite", "–", $"same, {options.Concurrency} clients, a server with WritesPerCommit=1 (one commit per report): runs/s", "/s", alone,
            Baseline: "group commit (the first line)", BaselineValue: rate, Ratio: alone.Median / rate.Median));
        report.Add(new ResultRow("ingest", "SQLite", "–", "same, latency per report", "ms", latency,
            Baseline: $"raw, {options.Concurrency} writers taking turns", BaselineValue: rawLatency, Ratio: latencyRatio,
            Target: "p99 ≤ 4× raw p99", Met: latencyRatio <= 4,
            Note: string.Create(CultureInfo.InvariantCulture, $"p99 {latency.P99:F1} ms against raw p99 {rawLatency.P99:F1} ms")));
        report.Add(new ResultRow("ingest", "SQLite", "–", "GET /api/agents/stats?window=30d during that load, server", "ms", busy,
            Baseline: "same, idle server", BaselineValue: idle, Ratio: busy.P95 / idle.P95,
            Target: "p95 ≤ 3× idle p95", Met: busy.P95 <= 3 * idle.P95,
            Note: string.Create(CultureInfo.InvariantCulture, $"p95 {busy.P95:F2} ms under load, {idle.P95:F2} ms idle ({busy.Count} and {idle.Count} requests)")));
        AddOtlp(otlp, rate, serverCpu.TotalMilliseconds / reports);
        report.Note(string.Create(CultureInfo.InvariantCulture,
            $"ingest: p99 latency {latency.P99:F1} ms over {latency.Count:N0} reports; server peak working set {peak:F0} MB; SQLite WAL synchronous={options.Synchronous}."));
        // Where the limit is: CPU per recorded run on each path, against the 2 × 1 000 ms of CPU a second this machine has.
        report.Note(string.Create(CultureInfo.InvariantCulture,
            $"ingest: CPU per run: server {serverCpu.TotalMilliseconds / reports:F2} ms per one-call report (all threads: HTTP, JSON, key, validation, group commit; the stats sampler's requests included), raw {rawCpu.TotalMilliseconds / rawRuns:F2} ms per run (SQLite's statements and commit, one thread); {Environment.ProcessorCount} cores."));
    }

    /// <summary>
    /// Issue 15's figure alone: one-call reports and OTLP batches against one fresh server, without the raw baseline
    /// and the second server of the full ingest scenario. The two loads take turns, a round each, and each OTLP round
    /// is divided by the one-call round just before it: this machine's speed drifts by a quarter within minutes, which
    /// measuring every one-call round first and every OTLP round after put into the ratio (7.4× to 9.8× on one hour).
    /// </summary>
    public async Task RunOtlpAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.DataFolder);
        var path = Path.Combine(options.DataFolder, "ingest-otlp.db");
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
        Console.WriteLine($"otlp on SQLite (WAL, synchronous={options.Synchronous}), {options.Concurrency} clients, {options.Rounds} rounds of {options.IngestDuration.TotalSeconds:F1} s per path, taking turns:");
        await using var server = await ServerProcess.StartAsync(BenchDatabase.Sqlite(path), options.Synchronous, TimeSpan.Zero, options.DataFolder);
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = server.Address };
        http.DefaultRequestHeaders.Add("X-Api-Key", BenchHost.ApiKey);
        // Long enough, and then idle, for tiered JIT to finish both paths: measured right after two seconds of
        // load, the first round ran at half speed.
        await LoadAsync(http, TimeSpan.FromSeconds(options.Quick ? 0.5 : 5), [], cancellationToken);
        await OtlpBatches.LoadAsync(http, options.Concurrency, TimeSpan.FromSeconds(options.Quick ? 0 : 3), [], cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(options.Quick ? 0 : 3), cancellationToken);

        var oneCall = new PathTotals();
        var otlp = new PathTotals();
        var ratios = new List<double>();
        var latencies = new List<double>();
        for (var round = 0; round < options.Rounds; round++)
        {
            Checkpoint(path);
            var reports = await oneCall.RoundAsync(server, () => LoadAsync(http, options.IngestDuration, [], cancellationToken));
            Checkpoint(path);
            var runs = await otlp.RoundAsync(server, () => OtlpBatches.LoadAsync(http, options.Concurrency, options.IngestDuration, latencies, cancellationToken));
            ratios.Add(runs / reports);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round + 1}: one-call {reports:N0} runs/s, OTLP {runs:N0} runs/s, {runs / reports:F2}×"));
        }
        Console.WriteLine($"  clients' CPU per one-call report: {oneCall.ClientCpuMsPerRun * 1000:F0} µs, per OTLP run: {otlp.ClientCpuMsPerRun * 1000:F0} µs");
        report.Add(new ResultRow("otlp", "SQLite", "–", $"POST /api/executions (finished run), {options.Concurrency} clients: runs/s", "/s", Summary.Of(oneCall.Rates)));
        AddOtlp(new OtlpFigures(Summary.Of(otlp.Rates), Summary.Of(latencies), otlp.ServerCpuMsPerRun), Summary.Of(oneCall.Rates), oneCall.ServerCpuMsPerRun, Summary.Of(ratios));
    }

    /// <summary>
    /// Copies the WAL into the database file and empties it while the server is idle, so a round does not pay for
    /// checkpointing the pages of the round before it (after an OTLP round the server's background checkpoint went on
    /// copying a hundred megabytes into the next one-call round).
    /// </summary>
    private static void Checkpoint(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout=30000";
        command.ExecuteNonQuery();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        // The server's own background checkpoint may hold the checkpoint lock for a moment: SQLite then answers busy at once.
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(30); Thread.Sleep(50))
        {
            if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
            {
                return;
            }
        }
        throw new InvalidOperationException("The WAL could not be checkpointed between rounds within 30 s: the server was not idle.");
    }

    /// <summary>One load's rounds: its rates, and the server's and the clients' CPU per run it recorded.</summary>
    private sealed class PathTotals
    {
        private TimeSpan _serverCpu;
        private TimeSpan _clientCpu;
        private long _runs;

        public List<double> Rates { get; } = [];

        public double ServerCpuMsPerRun => _serverCpu.TotalMilliseconds / _runs;

        public double ClientCpuMsPerRun => _clientCpu.TotalMilliseconds / _runs;

        /// <summary>Runs one round of the load and returns its rate in runs/s.</summary>
        public async Task<double> RoundAsync(ServerProcess server, Func<Task<long>> load)
        {
            var (server0, client0) = (server.CpuTime, ClientCpu());
            var clock = Stopwatch.StartNew();
            var runs = await load();
            var rate = runs / clock.Elapsed.TotalSeconds;
            (_serverCpu, _clientCpu, _runs) = (_serverCpu + server.CpuTime - server0, _clientCpu + ClientCpu() - client0, _runs + runs);
            Rates.Add(rate);
            return rate;
        }
    }

    private sealed record OtlpFigures(Summary Rate, Summary Latency, double CpuMsPerRun);

    /// <summary>OTLP batches from as many clients as the one-call load had, against <paramref name="server"/>.</summary>
    private async Task<OtlpFigures> OtlpAsync(ServerProcess server, HttpClient http, CancellationToken cancellationToken)
    {
        // Warmed as the one-call path is (load, then idle while tiered JIT finishes): the first round ran cold before.
        await OtlpBatches.LoadAsync(http, options.Concurrency, TimeSpan.FromSeconds(options.Quick ? 0 : 3), [], cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(options.Quick ? 0 : 3), cancellationToken);
        var rates = new List<double>();
        var latencies = new List<double>();
        var cpu = server.CpuTime;
        var clientCpu = ClientCpu();
        long runs = 0;
        for (var round = 0; round < options.Rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            var recorded = await OtlpBatches.LoadAsync(http, options.Concurrency, options.IngestDuration, latencies, cancellationToken);
            rates.Add(recorded / clock.Elapsed.TotalSeconds);
            runs += recorded;
        }
        Console.WriteLine($"  clients' CPU per OTLP run: {(ClientCpu() - clientCpu).TotalMilliseconds * 1000 / runs:F0} µs");
        return new OtlpFigures(Summary.Of(rates), Summary.Of(latencies), (server.CpuTime - cpu).TotalMilliseconds / runs);
    }

    private static TimeSpan ClientCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>The OTLP line, as a ratio to the one-call <paramref name="oneCall"/> rate measured on the same server.</summary>
    /// <param name="ratios">Each OTLP round's rate over the one-call round beside it, when the two took turns; else the ratio is of the medians.</param>
    private void AddOtlp(OtlpFigures otlp, Summary oneCall, double oneCallCpuMs, Summary? ratios = null)
    {
        var ratio = ratios?.Median ?? otlp.Rate.Median / oneCall.Median;
        var per = ratios is null ? "" : string.Create(CultureInfo.InvariantCulture, $", the median of {ratios.Count} rounds' ratios (lowest {ratios.Min:F1}×, highest {ratios.Max:F1}×)");
        report.Add(new ResultRow(options.Scenario, "SQLite", "–",
            $"POST /otel/v1/traces, batches of {OtlpBatches.AgentSpans} agent spans (+2 children each), {options.Concurrency} clients: runs/s", "/s", otlp.Rate,
            Baseline: "one-call POST /api/executions", BaselineValue: oneCall, Ratio: ratio,
            Target: "≥ 10× one-call", Met: ratio >= 10,
            Note: string.Create(CultureInfo.InvariantCulture, $"{ratio:F1}× one-call{per}; p50 {otlp.Latency.Median:F0} ms per batch")));
        report.Note(string.Create(CultureInfo.InvariantCulture,
            $"{options.Scenario}: server CPU per run: {otlp.CpuMsPerRun * 1000:F0} µs per OTLP agent span (with its two children; {otlp.CpuMsPerRun * OtlpBatches.AgentSpans:F1} ms per batch), {oneCallCpuMs * 1000:F0} µs per one-call report; {Environment.ProcessorCount} cores shared with the clients."));
    }

    /// <summary>The same one-call load against a server that commits every write alone: what group commit is worth, in the same run.</summary>
    private async Task<Summary> WithoutGroupCommitAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(options.DataFolder, "ingest-alone.db");
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
        await using var server = await ServerProcess.StartAsync(BenchDatabase.Sqlite(path), options.Synchronous, TimeSpan.Zero, options.DataFolder,
            new Dictionary<string, string> { ["AgentLedger:Database:WritesPerCommit"] = "1" });
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = server.Address };
        http.DefaultRequestHeaders.Add("X-Api-Key", BenchHost.ApiKey);
        await LoadAsync(http, TimeSpan.FromSeconds(options.Quick ? 0.5 : 2), [], cancellationToken);
        var rates = new List<double>();
        for (var round = 0; round < options.Rounds; round++)
        {
            // The same stats sampler as beside the group-commit load, so both loads share the machine alike.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var sampler = SampleStatsAsync(http, int.MaxValue, [], StatsPause, stop.Token);
            var clock = Stopwatch.StartNew();
            var count = await LoadAsync(http, options.IngestDuration, [], cancellationToken);
            rates.Add(count / clock.Elapsed.TotalSeconds);
            await stop.CancelAsync();
            await sampler;
        }
        return Summary.Of(rates);
    }

    /// <summary>
    /// The raw limit of one transaction per finished run: one writer thread on one connection (Microsoft.Data.Sqlite,
    /// prepared statements) records the runs of as many clients as the server had, first come first served, each
    /// run its own commit. A run's latency includes its wait in that queue, as a report's does on the server.
    /// </summary>
    private double RawSingleTransaction(string path, int count, List<double> latencies)
    {
        using var queue = new System.Collections.Concurrent.BlockingCollection<(string Agent, TaskCompletionSource Done)>();
        var writer = Task.Factory.StartNew(() =>
        {
            using var recorder = new RawRecorder(path, options.Synchronous);
            foreach (var (agent, done) in queue.GetConsumingEnumerable())
            {
                recorder.RecordFinished(agent, 120, 12, RawMetrics);
                done.SetResult();
            }
        }, TaskCreationOptions.LongRunning);
        var perClient = Math.Max(1, count / options.Concurrency);
        var clock = Stopwatch.StartNew();
        var clients = Enumerable.Range(0, options.Concurrency).Select(client => Task.Run(async () =>
        {
            var mine = new List<double>(perClient);
            for (var i = 0; i < perClient; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                queue.Add(($"ingest-agent-{client}", done));
                await done.Task;
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            return mine;
        })).ToArray();
        Task.WaitAll(clients);
        var elapsed = clock.Elapsed.TotalSeconds;
        queue.CompleteAdding();
        writer.Wait();
        latencies.AddRange(clients.SelectMany(c => c.Result));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return perClient * options.Concurrency / elapsed;
    }

    /// <summary>Stats requests one after another, <paramref name="pause"/> apart, server time each.</summary>
    private static async Task SampleStatsAsync(HttpClient http, int count, List<double> serverMs, TimeSpan pause, CancellationToken cancellationToken)
    {
        try
        {
            for (var i = 0; i < count; i++)
            {
                using var response = await http.GetAsync("/api/agents/stats?window=30d", cancellationToken);
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                response.EnsureSuccessStatusCode();
                serverMs.Add(StatsScenario.ServerTiming(response) ?? throw new InvalidOperationException("The stats answer has no Server-Timing header."));
                await Task.Delay(pause, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
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
