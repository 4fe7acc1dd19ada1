using System.Collections.Concurrent;
using System.Net;
using AgentLedger.Server.Cli;
using AgentLedger.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AgentLedger.Tests.Crash;

/// <summary>
/// Group commit answers many writers with one commit. A kill -9 while groups are being written must leave
/// every acknowledged write in place and no write half there: a run without its proposals, a completion
/// without its rollups.
/// </summary>
public sealed class GroupCommitCrashTests(ITestOutputHelper output)
{
    private const int ProposalsPerRun = 2;

    private static readonly Dictionary<string, string> Unlimited = new() { ["RateLimit:ReportsPerSecond"] = "100000", ["RateLimit:Burst"] = "100000" };

    private static object[] Proposals(int writer) =>
        Enumerable.Range(0, ProposalsPerRun).Select(p => (object)new { type = "match", title = $"match {p} of writer {writer}" }).ToArray();

    [Fact]
    public async Task Kill_9_during_group_commits_of_16_writers_keeps_every_acknowledged_write_and_leaves_none_half_written()
    {
        using var db = new TestDatabase();
        var reports = new ConcurrentDictionary<Guid, string>();
        var reported = new ConcurrentBag<Guid>();
        var opening = new ConcurrentDictionary<Guid, byte>();
        var started = new ConcurrentBag<Guid>();
        var completed = new ConcurrentBag<Guid>();
        using (var server = await ServerProcess.StartAsync(db, "node-gc", Unlimited))
        {
            // 12 writers report finished runs in one call; 4 open runs and complete them: the groups mix both.
            var writers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
            {
                using var client = new HttpClient { BaseAddress = server.Address };
                client.DefaultRequestHeaders.Add("X-Api-Key", LedgerFactory.ApiKey);
                try
                {
                    while (true)
                    {
                        var id = Guid.NewGuid();
                        if (w < 12)
                        {
                            var end = DateTimeOffset.UtcNow;
                            var body = Api.Json(new
                            {
                                id,
                                agent_name = $"gc-report-{w}",
                                started_at = end.AddSeconds(-2),
                                completed_at = end,
                                status = "success",
                                resources_processed = 3,
                                metrics = new { items_checked = 7 },
                                proposals = Proposals(w),
                            });
                            reports[id] = await body.ReadAsStringAsync();
                            using var response = await client.PostAsync("/api/executions", body);
                            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                            reported.Add(id);
                        }
                        else
                        {
                            opening[id] = 0;
                            using var open = await client.PostAsync("/api/executions", Api.Json(new { id, agent_name = $"gc-open-{w}" }));
                            Assert.Equal(HttpStatusCode.Created, open.StatusCode);
                            started.Add(id);
                            using var done = await client.PostAsync($"/api/executions/{id}/complete", Api.Json(new { status = "success", resources_processed = 1, proposals = Proposals(w) }));
                            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
                            completed.Add(id);
                        }
                    }
                }
                catch (HttpRequestException)
                {
                    // The process is gone: the request in flight was never answered, so never acknowledged.
                }
            })).ToList();
            for (var i = 0; i < 600 && reported.Count + completed.Count < 400; i++)
            {
                await Task.Delay(50);
            }
            Assert.True(reported.Count + completed.Count >= 400, $"the writes were not being recorded; the server's log:\n{server.Log}");

            // Sixteen writers keep the pipeline's queue full: the kill lands while a group's transaction is open.
            using (var scraper = new HttpClient { BaseAddress = server.Address })
            {
                var metrics = await scraper.GetStringAsync("/metrics");
                var commits = Sample(metrics, "ledger_writes_per_commit_count");
                var writes = Sample(metrics, "ledger_writes_per_commit_sum");
                output.WriteLine($"before the kill: {writes} writes in {commits} commits");
                Assert.True(writes >= 2 * commits, $"the writes were not grouped: {writes} writes in {commits} commits");
            }
            server.Kill();
            await Task.WhenAll(writers);
        }

        var rows = Rows(db);
        output.WriteLine($"kill -9 during group commits: {reports.Count} one-call reports sent, {reported.Count} acknowledged; {started.Count} runs opened, {completed.Count} completions acknowledged; " +
            $"{rows.Count} rows after the kill ({rows.Values.Count(r => r.Status == "running")} running)");

        Assert.All(reported, id => Assert.Equal(("success", ProposalsPerRun), rows[id]));
        Assert.All(started, id => Assert.True(rows.ContainsKey(id), $"the acknowledged start of {id} is lost"));
        Assert.All(completed, id => Assert.Equal(("success", ProposalsPerRun), rows[id]));
        // Every write is whole or absent: a row is a sent one, running without proposals or final with all of them.
        Assert.All(rows, row =>
        {
            Assert.True(reports.ContainsKey(row.Key) || opening.ContainsKey(row.Key), $"row {row.Key} was never sent");
            Assert.True(row.Value is ("running", 0) or ("success", ProposalsPerRun), $"row {row.Key} is half written: {row.Value}");
        });
        var verify = new StringWriter();
        Assert.True(await AdminCli.RunAsync(["verify", .. db.CliArgs()], verify) == 0, verify.ToString());

        // A reporter unsure of its answer sends again: the same id and body record nothing twice.
        using (var restarted = await ServerProcess.StartAsync(db, "node-gc", Unlimited))
        {
            using var client = new HttpClient { BaseAddress = restarted.Address };
            client.DefaultRequestHeaders.Add("X-Api-Key", LedgerFactory.ApiKey);
            foreach (var (id, body) in reports)
            {
                using var response = await client.PostAsync("/api/executions", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
                Assert.Equal(rows.ContainsKey(id) ? HttpStatusCode.OK : HttpStatusCode.Created, response.StatusCode);
            }
        }
        Assert.Equal(reports.Count, db.Scalar("SELECT COUNT(*) FROM agent_executions WHERE agent_name LIKE 'gc-report-%'"));
        Assert.Equal(reports.Count * ProposalsPerRun, db.Scalar("SELECT COUNT(*) FROM proposals WHERE agent_name LIKE 'gc-report-%'"));
        Assert.True(await AdminCli.RunAsync(["verify", .. db.CliArgs()], verify) == 0, verify.ToString());
    }

    private static double Sample(string metrics, string name)
    {
        var match = System.Text.RegularExpressions.Regex.Match(metrics, $"^{name}\\{{[^}}]*\\}} ([0-9.e+]+)", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.True(match.Success, $"{name} is not on /metrics:\n{metrics}");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every row of the test's agents with its status and how many proposals it holds, straight from the database.</summary>
    private static Dictionary<Guid, (string Status, int Proposals)> Rows(TestDatabase db)
    {
        using var connection = db.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT e.id, e.status, (SELECT COUNT(*) FROM proposals p WHERE p.execution_id = e.id) FROM agent_executions e WHERE e.agent_name LIKE 'gc-%'";
        using var reader = command.ExecuteReader();
        var rows = new Dictionary<Guid, (string, int)>();
        while (reader.Read())
        {
            rows[TestDatabase.ReadUuid(reader.GetValue(0))] = (reader.GetString(1), Convert.ToInt32(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture));
        }
        return rows;
    }
}
