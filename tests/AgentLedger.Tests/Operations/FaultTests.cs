using System.Collections.Concurrent;
using System.Net;
using AgentLedger.Server.Cli;
using AgentLedger.TestHost;
using AgentLedger.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AgentLedger.Tests.Operations;

/// <summary>Nothing acknowledged is ever lost: a killed process, a database outage, sustained load.</summary>
public sealed class FaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Kill_9_with_20_runs_in_flight_and_reports_arriving_loses_nothing()
    {
        using var db = new TestDatabase();
        var acknowledged = new ConcurrentBag<string>();
        var inFlight = new List<string>();
        long attempts = 0;
        using (var server = await ServerProcess.StartAsync(db, "node-k"))
        {
            foreach (var worker in ScriptedAgents.Workers)
            {
                (await server.Client.SetConfigAsync(worker, new { config = new { outcome = "block" } })).EnsureSuccessStatusCode();
            }
            using var stop = new CancellationTokenSource();
            var reporters = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
            {
                using var client = new HttpClient { BaseAddress = server.Address };
                client.DefaultRequestHeaders.Add("X-Api-Key", LedgerFactory.ApiKey);
                while (!stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref attempts);
                    try
                    {
                        var response = await client.PostAsync("/api/executions", Api.Json(new { agent_name = $"reporter-{i}", status = "success", proposals_created = 1 }));
                        if (response.StatusCode == HttpStatusCode.Created)
                        {
                            acknowledged.Add((string)(await response.ReadNodeAsync())["id"]!);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // the process is gone: an unanswered report was never acknowledged
                    }
                }
            })).ToList();

            foreach (var worker in ScriptedAgents.Workers)
            {
                inFlight.Add((string)(await server.Client.PostExpectAsync($"/api/agents/{worker}/run", new { }, 202))["execution_id"]!);
            }
            Assert.Equal(20, db.Scalar("SELECT COUNT(*) FROM agent_executions WHERE status = 'running' AND node = 'node-k'"));
            while (acknowledged.Count < 50)
            {
                await Task.Delay(20);
            }

            server.Kill();
            await Task.WhenAll(reporters);
            stop.Cancel();
        }

        using var restarted = await ServerProcess.StartAsync(db, "node-k");
        var client = restarted.Client;
        foreach (var id in inFlight)
        {
            var execution = await client.GetNodeAsync($"/api/executions/{id}");
            Assert.Equal("abandoned", (string?)execution["status"]);
        }
        var missing = 0;
        foreach (var id in acknowledged)
        {
            if ((await client.GetAsync($"/api/executions/{id}")).StatusCode != HttpStatusCode.OK)
            {
                missing++;
            }
        }
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM agent_executions WHERE status = 'running'"));
        var verify = new StringWriter();
        var verified = await AdminCli.RunAsync(["verify", .. db.CliArgs()], verify);
        output.WriteLine($"kill -9: {inFlight.Count} runs in flight, all abandoned after restart; {attempts} reports sent, {acknowledged.Count} acknowledged, {missing} lost; {verify.ToString().Trim()}");
        Assert.Equal(0, missing);
        Assert.True(verified == 0, verify.ToString());
    }

    [Fact]
    public async Task Sixteen_reporters_and_four_readers_for_10_seconds_get_no_5xx_and_every_acknowledged_run_is_counted()
    {
        using var db = new TestDatabase();
        using var server = await ServerProcess.StartAsync(db, "node-load", new Dictionary<string, string> { ["RateLimit:ReportsPerSecond"] = "100000", ["RateLimit:Burst"] = "100000" });
        // Ten seconds of load are thousands of reports on this machine: enough to show a 5xx, a lost or a
        // double-counted report, and a third of the suite's time less than the thirty seconds it was.
        const int seconds = 10;
        var until = DateTime.UtcNow.AddSeconds(seconds);
        long acknowledged = 0, errors5xx = 0, refused4xx = 0, reads = 0;
        var agents = Enumerable.Range(0, 16).Select(i => $"load-{i:00}").ToArray();

        var reporters = agents.Select(agent => Task.Run(async () =>
        {
            using var client = new HttpClient { BaseAddress = server.Address };
            client.DefaultRequestHeaders.Add("X-Api-Key", LedgerFactory.ApiKey);
            while (DateTime.UtcNow < until)
            {
                var response = await client.PostAsync("/api/executions", Api.Json(new { agent_name = agent, status = "success", resources_processed = 1 }));
                Count(response.StatusCode, ref acknowledged);
            }
        }));
        var readers = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            using var client = new HttpClient { BaseAddress = server.Address };
            while (DateTime.UtcNow < until)
            {
                var response = await client.GetAsync(i % 2 == 0 ? "/api/agents/stats" : "/api/agents/stats?window=24h");
                Count(response.StatusCode, ref reads);
            }
        }));
        await Task.WhenAll(reporters.Concat(readers));

        var stored = db.Scalar("SELECT COUNT(*) FROM agent_executions WHERE agent_name LIKE 'load-%'");
        var stats = await server.Client.GetNodeAsync("/api/agents/stats");
        var counted = agents.Sum(a => (long)stats[a]!["stats"]!["total_runs"]!);
        output.WriteLine($"load {seconds} s: {acknowledged} reports acknowledged ({acknowledged / (double)seconds:0} /s), {reads} stats reads, {refused4xx} 4xx, {errors5xx} 5xx; stored {stored}, counted in stats {counted}, lost {acknowledged - stored}");
        Assert.Equal(0, errors5xx);
        Assert.Equal(0, refused4xx);
        Assert.True(acknowledged > 100);
        Assert.Equal(acknowledged, stored);
        Assert.Equal(acknowledged, counted);

        void Count(HttpStatusCode status, ref long ok)
        {
            if ((int)status >= 500)
            {
                Interlocked.Increment(ref errors5xx);
            }
            else if ((int)status >= 400)
            {
                Interlocked.Increment(ref refused4xx);
            }
            else
            {
                Interlocked.Increment(ref ok);
            }
        }
    }

    [SkippableFact]
    public async Task PostgreSQL_down_for_10_seconds_gives_503_with_Retry_After_never_500_and_loses_nothing_acknowledged()
    {
        Skip.IfNot(TestDatabase.IsPostgres, "an outage of the PostgreSQL server; SQLite is a file");
        await using var postgres = await PrivatePostgres.StartAsync();
        using var database = new TestDatabase();
        using var server = await ServerProcess.StartAsync(database, "node-outage", new Dictionary<string, string> { ["Database:ConnectionString"] = postgres.ConnectionString });
        var acknowledged = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var unready = 0;
        var retryAfterMissing = 0;
        using var stop = new CancellationTokenSource();
        var reporters = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            using var client = new HttpClient { BaseAddress = server.Address };
            client.DefaultRequestHeaders.Add("X-Api-Key", LedgerFactory.ApiKey);
            while (!stop.IsCancellationRequested)
            {
                var response = await client.PostAsync("/api/executions", Api.Json(new { agent_name = $"outage-{i}", status = "success" }));
                statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    acknowledged.Add((string)(await response.ReadNodeAsync())["id"]!);
                }
                else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    if (response.Headers.RetryAfter is null)
                    {
                        Interlocked.Increment(ref retryAfterMissing);
                    }
                    await Task.Delay(100);
                }
            }
        })).ToList();

        await Task.Delay(2000);
        await postgres.PauseAsync();
        for (var t = 0; t < 10; t++)
        {
            await Task.Delay(1000);
            if ((await server.Client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                unready++;
            }
            Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/health/live")).StatusCode);
        }
        await postgres.ResumeAsync();
        var resumed = acknowledged.Count;
        for (var i = 0; i < 100 && acknowledged.Count < resumed + 20; i++)
        {
            await Task.Delay(100);
        }
        stop.Cancel();
        await Task.WhenAll(reporters);

        var missing = 0;
        foreach (var id in acknowledged)
        {
            var found = await server.Client.GetAsync($"/api/executions/{id}");
            if (found.StatusCode != HttpStatusCode.OK)
            {
                output.WriteLine($"{id}: {(int)found.StatusCode} {await found.Content.ReadAsStringAsync()}");
                missing++;
            }
        }
        output.WriteLine($"PostgreSQL outage 10 s: answers {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}; ready reported unhealthy {unready}/10 s; {acknowledged.Count} acknowledged, {missing} lost");
        Assert.DoesNotContain(statuses.Keys, s => s >= 500 && s != 503);
        Assert.True(statuses.GetValueOrDefault(503) > 0, "no request saw the outage");
        Assert.Equal(0, retryAfterMissing);
        Assert.True(unready >= 8, $"/health/ready was unhealthy for only {unready} of 10 s");
        Assert.Equal(0, missing);
        Assert.True(acknowledged.Count >= resumed + 20, "reports did not resume after the database came back");
    }
}
