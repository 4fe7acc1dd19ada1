using System.Diagnostics;
using AgentLedger.Commons.Demo;
using AgentLedger.Server.Cli;
using AgentLedger.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AgentLedger.Tests.MultiNode;

/// <summary>
/// A deploy of several replicas: server processes that start at the same instant against one empty
/// database (four on PostgreSQL, three on one SQLite file), and migrations as a deploy step.
/// </summary>
public sealed class ConcurrentStartTests(ITestOutputHelper output)
{
    private static readonly int Nodes = TestDatabase.IsPostgres ? 4 : 3;

    // Demo mode: the seeding of the demo community is first-start data that must happen once too.
    private static readonly Dictionary<string, string> Demo = new() { ["Demo"] = "true" };

    [Fact]
    public async Task Nodes_started_together_on_an_empty_database_all_come_up_and_apply_each_migration_once()
    {
        for (var round = 1; round <= 3; round++)
        {
            using var db = new TestDatabase();
            var clock = Stopwatch.StartNew();
            var nodes = await ServerProcess.StartManyAsync(db, Enumerable.Range(0, Nodes).Select(i => $"node-{round}-{i}"), Demo);
            try
            {
                output.WriteLine($"round {round}: {Nodes} nodes ready in {clock.Elapsed.TotalSeconds:0.0} s");
                foreach (var node in nodes)
                {
                    // Warning is the processes' log level: an error or a crash of start-up shows as fail: / crit:.
                    Assert.False(node.Log.Contains("fail:", StringComparison.Ordinal) || node.Log.Contains("crit:", StringComparison.Ordinal), $"{node.Node} logged an error:\n{node.Log}");
                }
            }
            finally
            {
                foreach (var node in nodes)
                {
                    node.Dispose();
                }
            }
            Assert.Equal(TestDatabase.LedgerMigrations, db.Scalar("SELECT COUNT(*) FROM \"__EFMigrationsHistory\""));
            Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM __commons_migrations"));
            var demo = DemoCommunity.Build(DateTimeOffset.UtcNow);
            Assert.Equal(demo.Locations.Count, db.Scalar("SELECT COUNT(*) FROM commons_locations"));
            Assert.Equal(demo.Listings.Count, db.Scalar("SELECT COUNT(*) FROM commons_listings"));
        }
    }

    [Fact]
    public async Task With_MigrateOnStart_false_a_node_on_a_schema_that_is_behind_exits_naming_migrate_and_changes_nothing()
    {
        var deployStep = new Dictionary<string, string> { ["Database:MigrateOnStart"] = "false" };
        using var db = new TestDatabase();

        using (var refused = ServerProcess.Launch(db, "node-early", deployStep))
        {
            Assert.Equal(3, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            var log = refused.Log;
            output.WriteLine(log);
            Assert.Contains("'migrate' verb", log, StringComparison.Ordinal);
            Assert.Contains("MigrateOnStart is false", log, StringComparison.Ordinal);
            Assert.Equal(1, CountOccurrences(log, "crit:"));
            Assert.DoesNotContain("fail:", log, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", log, StringComparison.Ordinal);
        }
        Assert.Equal(0, TableCount(db));

        var cli = new StringWriter();
        Assert.Equal(0, await AdminCli.RunAsync(["migrate", .. db.CliArgs()], cli));
        Assert.Contains("up to date", cli.ToString(), StringComparison.Ordinal);
        Assert.Equal(TestDatabase.LedgerMigrations, db.Scalar("SELECT COUNT(*) FROM \"__EFMigrationsHistory\""));

        using var node = await ServerProcess.StartAsync(db, "node-after-migrate", deployStep);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await node.Client.GetAsync("/health/ready")).StatusCode);
        Assert.Contains("\"scripted\"", await node.Client.GetStringAsync("/api/agents"), StringComparison.Ordinal);
    }

    private static long TableCount(TestDatabase db) => TestDatabase.IsPostgres
        ? db.Scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")
        : File.Exists(db.FilePath) ? db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'") : 0;

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
