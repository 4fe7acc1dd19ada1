using System.Diagnostics;
using AgentLedger.Bench.Datasets;
using AgentLedger.Bench.Hosting;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Runner;
using AgentLedger.Core.Settings;
using Microsoft.Data.Sqlite;

namespace AgentLedger.Bench.Scenarios;

/// <summary>
/// Executions recorded per second through the runner of the real host (settings read, the
/// <c>running</c> row committed, the agent run, the outcome and its three rollups committed),
/// alternating round by round with the raw limit of the same SQLite file (<see cref="RawRecorder"/>).
/// </summary>
public sealed class RecordScenario(BenchOptions options, Report report)
{
    private static readonly IReadOnlyDictionary<string, double> Metrics = new Dictionary<string, double> { ["items_checked"] = 12, ["matches_found"] = 2 };

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.DataFolder);
        var path = Path.Combine(options.DataFolder, "record.db");
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
        var agents = Enumerable.Range(0, options.Concurrency).Select(i => new InstantAgent($"bench-runner-{i}")).ToList();
        Console.WriteLine($"record on SQLite (WAL, synchronous={options.Synchronous}), {options.RecordCount:N0} executions per measurement, {options.Rounds} rounds:");
        await using var app = BenchHost.Build(BenchDatabase.Sqlite(path), options.Synchronous, TimeSpan.Zero, options.DataFolder, agents);
        await app.StartAsync(cancellationToken);
        var runner = app.Services.GetRequiredService<AgentRunner>();

        // Warm-up: JIT, EF model, connection pools, the rollup rows of this hour.
        await RunnerAsync(runner, agents, 1, Math.Min(100, options.RecordCount), [], cancellationToken);
        RawAsync(path, options.Synchronous, agents, 1, Math.Min(100, options.RecordCount), []);

        var results = new Dictionary<(string Path, int Writers), List<double>>();
        var latencies = new Dictionary<(string Path, int Writers), List<double>>();
        foreach (var writers in new[] { 1, options.Concurrency })
        {
            results[("runner", writers)] = [];
            results[("raw", writers)] = [];
            latencies[("runner", writers)] = [];
            latencies[("raw", writers)] = [];
        }
        for (var round = 0; round < options.Rounds; round++)
        {
            foreach (var writers in new[] { 1, options.Concurrency })
            {
                results[("runner", writers)].Add(await RunnerAsync(runner, agents, writers, options.RecordCount, latencies[("runner", writers)], cancellationToken));
                results[("raw", writers)].Add(RawAsync(path, options.Synchronous, agents, writers, options.RecordCount, latencies[("raw", writers)]));
            }
        }
        await app.StopAsync(cancellationToken);

        foreach (var writers in new[] { 1, options.Concurrency })
        {
            var label = writers == 1 ? "single writer" : $"{writers} concurrent agents";
            var runnerRate = Summary.Of(results[("runner", writers)]);
            var rawRate = Summary.Of(results[("raw", writers)]);
            var ratio = runnerRate.Median / rawRate.Median;
            report.Add(new ResultRow("record", "SQLite", "–", $"runner, {label}: executions/s", "/s", runnerRate,
                "raw Microsoft.Data.Sqlite", rawRate, ratio, writers == 1 ? "≥ 0.6× raw" : "≥ 1.0× raw", ratio >= (writers == 1 ? 0.6 : 1.0)));
            report.Add(new ResultRow("record", "SQLite", "–", $"runner, {label}: latency per execution", "ms", Summary.Of(latencies[("runner", writers)]),
                "raw", Summary.Of(latencies[("raw", writers)])));
        }
        report.Note($"record: durable writes, SQLite WAL with synchronous={options.Synchronous}; two commits per execution (the running row, then the outcome with its rollups) on both paths.");
    }

    private static async Task<double> RunnerAsync(AgentRunner runner, List<InstantAgent> agents, int writers, int count, List<double> latencies, CancellationToken cancellationToken)
    {
        var perWriter = count / writers;
        var clock = Stopwatch.StartNew();
        var tasks = agents.Take(writers).Select(agent => Task.Run(async () =>
        {
            var mine = new List<double>(perWriter);
            for (var i = 0; i < perWriter; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var handle = await runner.StartAsync(agent.Name, ExecutionTrigger.Manual, force: true, cancellationToken: cancellationToken);
                var finished = await handle.Completion;
                if (finished.Status != ExecutionStatus.Success)
                {
                    throw new InvalidOperationException($"A benchmark run ended {finished.Status}: {finished.ErrorMessage}");
                }
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                // The runner releases an agent's gate just after recording; wait for it rather than race it.
                while (runner.IsRunning(agent.Name))
                {
                    await Task.Yield();
                }
            }
            return mine;
        }, cancellationToken)).ToList();
        var all = await Task.WhenAll(tasks);
        var elapsed = clock.Elapsed.TotalSeconds;
        latencies.AddRange(all.SelectMany(l => l));
        return perWriter * writers / elapsed;
    }

    private static double RawAsync(string path, string synchronous, List<InstantAgent> agents, int writers, int count, List<double> latencies)
    {
        var perWriter = count / writers;
        var clock = Stopwatch.StartNew();
        var threads = agents.Take(writers).Select(agent => Task.Factory.StartNew(() =>
        {
            var mine = new List<double>(perWriter);
            using var recorder = new RawRecorder(path, synchronous);
            for (var i = 0; i < perWriter; i++)
            {
                var started = Stopwatch.GetTimestamp();
                recorder.Record(agent.Name, 0, 12, Metrics);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            return mine;
        }, TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(threads);
        var elapsed = clock.Elapsed.TotalSeconds;
        latencies.AddRange(threads.SelectMany(t => t.Result));
        SqliteConnection.ClearAllPools();
        return perWriter * writers / elapsed;
    }

    /// <summary>An agent whose work takes no time, so only the recording is measured.</summary>
    private sealed class InstantAgent(string name) : IAgent
    {
        public string Name => name;

        public string DisplayName => name;

        public string Description => "Benchmark agent: succeeds at once with two metrics.";

        public AgentSettings DefaultSettings => new(true, 3600, 60, AgentSettings.EmptyConfig);

        public Task<AgentRunResult> RunAsync(AgentContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new AgentRunResult([], 12, Metrics));
    }
}
