using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AgentLedger.Bench.Datasets;
using AgentLedger.Bench.Hosting;
using AgentLedger.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace AgentLedger.Bench.Scenarios;

/// <summary>
/// <c>GET /api/agents/stats?window=30d</c> through the real server process over loopback, on
/// generated ledgers of each size; beside it, on the same data, the original four-queries-per-agent
/// plan; the server's peak working set.
/// </summary>
public sealed class StatsScenario(BenchOptions options, Report report)
{
    private const string Path = "/api/agents/stats?window=30d";
    /// <summary>
    /// The server is measured as it runs all day: tiered JIT with dynamic PGO needs 300–400
    /// requests of this path before it stops re-compiling it (measured at 100 k: medians of 14,
    /// 26, 13, 6.5 ms per hundred requests, then 5.6–6.3 ms).
    /// </summary>
    private int WarmUp => options.Quick ? 3 : 500;

    private readonly Dictionary<string, double> _serverMedianBySize = [];

    public async Task RunAsync(bool memoryOnly, CancellationToken cancellationToken)
    {
        var cache = new DatasetCache(options, Console.Out);
        var sizes = memoryOnly ? [options.Executions.Max()] : options.Executions.Order().ToList();
        foreach (var size in sizes)
        {
            var (database, spec) = await cache.SqliteAsync(size, cancellationToken);
            await MeasureAsync(database, spec, memoryOnly, cancellationToken);
        }
        if (options.Postgres is { } server)
        {
            foreach (var size in sizes)
            {
                var (database, spec) = await cache.PostgresAsync(server, size, cancellationToken);
                await MeasureAsync(database, spec, memoryOnly, cancellationToken);
            }
        }
    }

    private async Task MeasureAsync(BenchDatabase database, DatasetSpec spec, bool memoryOnly, CancellationToken cancellationToken)
    {
        var size = DatasetSpec.SizeLabel(spec.Executions);
        var largest = spec.Executions == options.Executions.Max();
        Console.WriteLine($"stats on {database.Label}, {size} executions:");
        // The server's clock reads the ledger's "now", so a cached ledger is as fresh as a new one.
        var offset = spec.Anchor - DateTimeOffset.UtcNow;
        var client = new List<double>();
        var server = new List<double>();
        JsonElement body;
        long peakBytes;
        double cpuPerRequest;
        await using (var process = await ServerProcess.StartAsync(database, "FULL", offset, options.DataFolder))
        {
            using var http = new HttpClient { BaseAddress = process.Address };
            body = default;
            var cpuBefore = TimeSpan.Zero;
            for (var i = 0; i < WarmUp + options.StatsIterations; i++)
            {
                if (i == WarmUp)
                {
                    cpuBefore = process.CpuTime;
                }
                var clock = Stopwatch.StartNew();
                using var response = await http.GetAsync(Path, cancellationToken);
                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                clock.Stop();
                response.EnsureSuccessStatusCode();
                if (i < WarmUp)
                {
                    continue;
                }
                client.Add(clock.Elapsed.TotalMilliseconds);
                server.Add(ServerTiming(response) ?? double.NaN);
                if (i == WarmUp + options.StatsIterations - 1)
                {
                    body = JsonDocument.Parse(bytes).RootElement.Clone();
                }
            }
            peakBytes = process.PeakWorkingSetBytes;
            cpuPerRequest = (process.CpuTime - cpuBefore).TotalMilliseconds / options.StatsIterations;
        }

        var serverSummary = Summary.Of(server);
        var clientSummary = Summary.Of(client);
        var peak = Summary.Of([peakBytes / 1024.0 / 1024.0]);
        if (memoryOnly)
        {
            report.Add(new ResultRow("memory", database.Label, size, "server peak working set while serving stats", "MB", peak,
                Target: largest ? "≤ 300 MB at 10M" : null, Met: spec.Executions >= 10_000_000 ? peak.Median <= 300 : null));
            return;
        }

        // The baseline, after the server has stopped, so neither competes with the other for the two cores.
        var agents = body.EnumerateObject().Select(p => p.Name).ToList();
        var baseline = new List<double>();
        bool exact;
        await using (var storage = database.Storage())
        {
            var contexts = storage.GetRequiredService<ILedgerDbContextFactory>();
            var first = body.EnumerateObject().First().Value.GetProperty("stats").GetProperty("window");
            var from = first.GetProperty("from").GetDateTimeOffset();
            var to = first.GetProperty("to").GetDateTimeOffset() + TimeSpan.FromTicks(TimeSpan.TicksPerMicrosecond);
            var rows = await BaselinePlan.RunAsync(contexts, agents, from, to, cancellationToken);
            exact = Agree(body, rows);
            for (var i = 0; i < options.BaselineIterations; i++)
            {
                var now = DateTimeOffset.UtcNow + offset;
                var clock = Stopwatch.StartNew();
                await BaselinePlan.RunAsync(contexts, agents, now - TimeSpan.FromDays(30), now, cancellationToken);
                baseline.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        var baselineSummary = Summary.Of(baseline);
        var ratio = baselineSummary.Median / serverSummary.Median;
        var is10M = spec.Executions >= 10_000_000;
        report.Add(new ResultRow("stats", database.Label, size, "GET /api/agents/stats?window=30d, server", "ms", serverSummary,
            "original plan (4 queries/agent)", baselineSummary, ratio,
            is10M ? "p95 ≤ 10 ms, ≥ 100× baseline" : null,
            is10M ? serverSummary.P95 <= 10 && ratio >= 100 : null,
            exact ? null : "30-day counts differ from the original plan"));
        report.Add(new ResultRow("stats", database.Label, size, "same, client round trip (loopback)", "ms", clientSummary));
        report.Add(new ResultRow("stats", database.Label, size, "same, server CPU time per request (mean)", "ms", Summary.Of([cpuPerRequest]),
            Note: "all server threads; steadier than wall time on a busy machine"));
        _serverMedianBySize[$"{database.Label}/{spec.Executions}"] = serverSummary.Median;
        if (_serverMedianBySize.TryGetValue($"{database.Label}/{options.Executions.Min()}", out var smallest) && spec.Executions != options.Executions.Min())
        {
            var flat = serverSummary.Median / smallest;
            report.Add(new ResultRow("stats", database.Label, size, $"server median ÷ its median at {DatasetSpec.SizeLabel(options.Executions.Min())}", "×",
                Summary.Of([flat]), Target: is10M ? "≤ 1.5×" : null, Met: is10M ? flat <= 1.5 : null));
        }
        report.Add(new ResultRow("stats", database.Label, size, "server peak working set", "MB", peak,
            Target: is10M ? "≤ 300 MB" : null, Met: is10M ? peak.Median <= 300 : null));
        if (!exact)
        {
            report.Note($"{database.Label} {size}: the stats response and the original plan disagree on 30-day counts or last run.");
        }
    }

    /// <summary>The new path must say what the old one says: same last run and 30-day counts for every agent.</summary>
    private static bool Agree(JsonElement body, IReadOnlyList<BaselinePlan.AgentRow> rows)
    {
        foreach (var row in rows)
        {
            var stats = body.GetProperty(row.Agent).GetProperty("stats");
            var lastRun = stats.GetProperty("last_run") is { ValueKind: JsonValueKind.String } l ? l.GetDateTimeOffset() : (DateTimeOffset?)null;
            if (lastRun != row.LastRun
                || stats.GetProperty("proposals_created_30d").GetInt64() != row.Proposals30d
                || stats.GetProperty("success_count_30d").GetInt64() != row.Success30d
                || stats.GetProperty("failure_count_30d").GetInt64() != row.Failure30d)
            {
                Console.WriteLine($"  mismatch for {row.Agent}: api {stats.GetProperty("last_run")} {stats.GetProperty("proposals_created_30d")} {stats.GetProperty("success_count_30d")} {stats.GetProperty("failure_count_30d")}, plan {row}");
                return false;
            }
        }
        return true;
    }

    /// <summary>Reads <c>Server-Timing: app;dur=1.23</c>.</summary>
    internal static double? ServerTiming(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Server-Timing", out var values))
        {
            return null;
        }
        foreach (var part in values.SelectMany(v => v.Split(';', ',')))
        {
            var item = part.Trim();
            if (item.StartsWith("dur=", StringComparison.Ordinal) && double.TryParse(item[4..], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms))
            {
                return ms;
            }
        }
        return null;
    }
}
