using System.Diagnostics;
using AgentLedger.Core.Common;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;
using AgentLedger.Core.Stats;
using AgentLedger.Storage;
using AgentLedger.Storage.Entities;
using AgentLedger.Storage.Rollups;

namespace AgentLedger.Bench.Datasets;

/// <summary>
/// Generates a realistic ledger straight into the storage layer: raw executions and proposals
/// through an engine's bulk path, and the hour/day/all-time rollups computed in memory with the
/// ledger's own <see cref="LedgerTotals"/>, <see cref="DurationHistogram"/> and rollup mapping, so
/// the result is exactly what recording the same runs one by one would have produced (the
/// <c>verify</c> admin verb agrees).
/// </summary>
public sealed class LedgerGenerator(DatasetSpec spec, TextWriter log)
{
    private const int Seed = 20261123;
    private static readonly string[] MetricNames = ["items_checked", "matches_found"];

    public static string AgentName(int index) => $"bench-agent-{index:00}";

    public async Task GenerateAsync(IBulkWriter writer, ILedgerDbContextFactory contexts, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(Seed);
        var profiles = Enumerable.Range(0, spec.Agents).Select(i => AgentProfile.Create(i, random)).ToArray();
        var start = spec.Anchor - TimeSpan.FromDays(spec.Days);
        var span = (spec.Anchor - start).Ticks;
        var hours = new Dictionary<(int Agent, DateTimeOffset Hour), LedgerTotals>();

        await writer.BeginAsync(cancellationToken);
        var perAgent = spec.Executions / spec.Agents;
        var extra = spec.Executions % spec.Agents;
        var maxRuns = perAgent + (extra > 0 ? 1 : 0);
        long written = 0;
        var row = new ExecutionRowData();
        var proposal = new ProposalRowData();
        for (long k = 0; k < maxRuns; k++)
        {
            for (var a = 0; a < spec.Agents; a++)
            {
                var runs = perAgent + (a < extra ? 1 : 0);
                if (k >= runs)
                {
                    continue;
                }
                var profile = profiles[a];
                // Evenly spread over the period with jitter, so a window always holds its share.
                var slot = span / runs;
                var jitter = (long)((random.NextDouble() - 0.5) * 0.6 * slot);
                var startedTicks = start.Ticks + (k * slot) + profile.Phase * slot / 1000 + jitter;
                var startedAt = LedgerTime.Normalize(new DateTimeOffset(Math.Clamp(startedTicks, start.Ticks, spec.Anchor.Ticks - 1), TimeSpan.Zero));
                var isNewest = k == runs - 1;
                Fill(row, profile, startedAt, random, running: isNewest && a % 7 == 0);
                writer.Add(row);
                written++;

                if (row.Status == "running")
                {
                    continue;
                }
                ExecutionStatuses.TryParse(row.Status, out var status);
                var bucket = Totals(hours, a, LedgerTime.FloorHour(startedAt));
                bucket.AddExecution(status, row.DurationMs, row.ProposalsCreated, row.ResourcesProcessed, row.MetricValues);
                for (var p = 0; p < row.ProposalsCreated; p++)
                {
                    FillProposal(proposal, row, p, random);
                    writer.Add(proposal);
                    ProposalStatuses.TryParse(proposal.Status, out var proposalStatus);
                    Totals(hours, a, LedgerTime.FloorHour(proposal.CreatedAt)).AddProposal(proposalStatus);
                }
            }
            if (k % 20_000 == 0 && k > 0)
            {
                log.Write($"\r  generated {written:N0} / {spec.Executions:N0} executions ({clock.Elapsed.TotalSeconds:F0} s)   ");
            }
        }
        log.WriteLine($"\r  generated {written:N0} executions in {clock.Elapsed.TotalSeconds:F0} s; building indexes…          ");
        await writer.FinishAsync(cancellationToken);
        log.WriteLine($"  raw rows and indexes done ({clock.Elapsed.TotalSeconds:F0} s); writing {hours.Count:N0} hourly rollups and their days");
        await WriteRollupsAndAgentsAsync(contexts, hours, start, cancellationToken);
        log.WriteLine($"  ledger ready in {clock.Elapsed.TotalSeconds:F0} s");
    }

    private async Task WriteRollupsAndAgentsAsync(ILedgerDbContextFactory contexts, Dictionary<(int Agent, DateTimeOffset Hour), LedgerTotals> hours, DateTimeOffset start, CancellationToken cancellationToken)
    {
        // Days and all-time are merges of the hours: merging is exact, so this equals adding each run to all three.
        var days = new Dictionary<(int Agent, DateTimeOffset Day), LedgerTotals>();
        var all = new Dictionary<int, LedgerTotals>();
        foreach (var ((agent, hour), totals) in hours)
        {
            Totals(days, agent, LedgerTime.FloorDay(hour)).Merge(totals);
            if (!all.TryGetValue(agent, out var sum))
            {
                all[agent] = sum = new LedgerTotals();
            }
            sum.Merge(totals);
        }
        var rows = new List<RollupEntity>(hours.Count + days.Count + all.Count);
        rows.AddRange(hours.Select(h => Rollup(h.Key.Agent, RollupPeriods.Hour, h.Key.Hour, h.Value)));
        rows.AddRange(days.Select(d => Rollup(d.Key.Agent, RollupPeriods.Day, d.Key.Day, d.Value)));
        rows.AddRange(all.Select(t => Rollup(t.Key, RollupPeriods.All, DateTimeOffset.UnixEpoch, t.Value)));

        await using (var db = contexts.Create())
        {
            db.Agents.AddRange(Enumerable.Range(0, spec.Agents).Select(i => new AgentEntity
            {
                Name = AgentName(i),
                DisplayName = $"Bench agent {i:00}",
                Description = "External agent of a generated benchmark ledger.",
                Kind = "external",
                FirstSeenAt = LedgerTime.Normalize(start),
            }));
            await db.SaveChangesAsync(cancellationToken);
        }
        foreach (var chunk in rows.Chunk(5_000))
        {
            await using var db = contexts.Create();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.Rollups.AddRange(chunk);
            await db.SaveChangesAsync(cancellationToken);
        }
        // Written last: a ledger without it was not generated completely and is regenerated.
        await using (var db = contexts.Create())
        {
            db.Meta.Add(new LedgerMetaEntity { Key = DatasetSpec.MetaKey, Value = spec.ToJson() });
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    private static RollupEntity Rollup(int agent, string period, DateTimeOffset bucket, LedgerTotals totals)
    {
        var row = new RollupEntity { AgentName = AgentName(agent), Period = period, BucketStart = bucket };
        RollupMapping.CopyTo(totals, row);
        return row;
    }

    private static LedgerTotals Totals<TKey>(Dictionary<(int, TKey), LedgerTotals> map, int agent, TKey bucket)
        where TKey : notnull
    {
        if (!map.TryGetValue((agent, bucket), out var totals))
        {
            map[(agent, bucket)] = totals = new LedgerTotals();
        }
        return totals;
    }

    private void Fill(ExecutionRowData row, AgentProfile profile, DateTimeOffset startedAt, Random random, bool running)
    {
        row.Id = Guid.CreateVersion7(startedAt);
        row.AgentName = profile.Name;
        row.StartedAt = startedAt;
        row.ErrorType = null;
        row.ErrorMessage = null;
        row.ProposalsCreated = 0;
        row.ResourcesProcessed = 0;
        row.Metrics = null;
        row.MetricValues = null;
        row.Metadata = random.Next(10) == 0 ? """{"version":"1.4.0","host":"worker-3"}""" : null;
        if (running)
        {
            row.Status = "running";
            row.CompletedAt = null;
            row.DurationMs = null;
            return;
        }
        // Log-normal durations: most runs near the agent's median, a long tail of slow ones.
        var duration = (long)Math.Max(1, profile.MedianMs * Math.Exp(profile.Sigma * Gaussian(random)));
        var roll = random.NextDouble();
        if (roll < profile.FailureRate * 0.80)
        {
            row.Status = "failed";
            row.ErrorType = profile.ErrorTypes[random.Next(profile.ErrorTypes.Length)];
            row.ErrorMessage = $"{row.ErrorType}: upstream answered 503 after {duration} ms";
        }
        else if (roll < profile.FailureRate * 0.97)
        {
            row.Status = "timeout";
            duration = profile.TimeoutMs;
            row.ErrorType = "Timeout";
            row.ErrorMessage = $"The run exceeded its timeout of {profile.TimeoutMs / 1000} s and was cancelled.";
        }
        else if (roll < profile.FailureRate)
        {
            row.Status = "abandoned";
            row.ErrorType = "Abandoned";
            row.ErrorMessage = "The node running this execution stopped sending heartbeats; marked abandoned.";
        }
        else if (roll < profile.FailureRate + 0.003)
        {
            row.Status = "cancelled";
            row.ErrorType = "Shutdown";
            row.ErrorMessage = "The host shut down while the run was in progress.";
        }
        else
        {
            row.Status = "success";
            var items = random.Next(5, 400);
            var found = profile.Proposes ? random.Next(0, 6) : 0;
            row.ResourcesProcessed = items;
            row.MetricValues = new Dictionary<string, double> { [MetricNames[0]] = items, [MetricNames[1]] = found };
            row.Metrics = JsonColumns.WriteMetrics(row.MetricValues);
            row.ProposalsCreated = profile.Proposes && random.Next(10) == 0 ? random.Next(1, 3) : 0;
        }
        row.CompletedAt = startedAt + TimeSpan.FromMilliseconds(row.Status == "abandoned" ? 30_000 : duration);
        row.DurationMs = row.Status == "abandoned" ? null : duration;
    }

    private void FillProposal(ProposalRowData proposal, ExecutionRowData run, int index, Random random)
    {
        var createdAt = run.CompletedAt!.Value;
        proposal.Id = Guid.CreateVersion7(createdAt);
        proposal.ExecutionId = run.Id;
        proposal.AgentName = run.AgentName;
        proposal.Type = "match";
        proposal.Title = $"Match #{index + 1} of run {run.Id.ToString()[..8]}";
        proposal.Explanation = "An offer and a need of the same category overlap in time, 300 m apart.";
        proposal.InputsUsed = $"[\"offer-{random.Next(1000)}\",\"need-{random.Next(1000)}\"]";
        proposal.Data = """{"score":0.82}""";
        proposal.CreatedAt = createdAt;
        proposal.ExpiresAt = createdAt + TimeSpan.FromHours(72);
        var age = spec.Anchor - createdAt;
        var roll = random.NextDouble();
        // Recent proposals wait for review; older ones were decided or expired.
        (proposal.Status, proposal.DecidedAt, proposal.DecidedBy) = age < TimeSpan.FromHours(24) && roll < 0.7
            ? ("pending", null, null)
            : roll < 0.55 ? ("approved", createdAt + TimeSpan.FromHours(5), "coordinator")
            : roll < 0.80 ? ("rejected", createdAt + TimeSpan.FromHours(7), "coordinator")
            : age > TimeSpan.FromHours(72) ? ("expired", (DateTimeOffset?)null, (string?)null) : ("pending", null, null);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private sealed record AgentProfile(string Name, double MedianMs, double Sigma, double FailureRate, long TimeoutMs, bool Proposes, int Phase, string[] ErrorTypes)
    {
        public static AgentProfile Create(int index, Random random) => new(
            AgentName(index),
            MedianMs: Math.Exp(Math.Log(150) + random.NextDouble() * (Math.Log(30_000) - Math.Log(150))),
            Sigma: 0.6 + random.NextDouble() * 0.6,
            FailureRate: 0.02 + random.NextDouble() * 0.06,
            TimeoutMs: 300_000,
            Proposes: index % 3 == 0,
            Phase: random.Next(1000),
            ErrorTypes: ["HttpRequestException", "JsonException", "InvalidOperationException"]);
    }
}
