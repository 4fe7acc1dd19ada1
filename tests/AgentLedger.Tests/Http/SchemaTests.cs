using AgentLedger.Tests.Infrastructure;

namespace AgentLedger.Tests.Http;

public sealed class SchemaTests
{
    [Fact]
    public async Task Start_up_migrates_a_new_database_with_the_ledger_index_and_SQLite_in_WAL_mode()
    {
        using var db = new TestDatabase();
        using (var host = new LedgerFactory(db))
        {
            (await host.CreateClient().GetAsync("/health/ready")).EnsureSuccessStatusCode();
        }

        if (TestDatabase.IsPostgres)
        {
            var index = (string?)db.Query("SELECT indexdef FROM pg_indexes WHERE tablename = 'agent_executions' AND indexdef LIKE '%DESC%'");
            Assert.Contains("(agent_name, started_at DESC)", index);
        }
        else
        {
            Assert.Equal("wal", db.Query("PRAGMA journal_mode"));
            var index = (string?)db.Query("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'agent_executions' AND sql LIKE '%DESC%'");
            Assert.Contains("\"agent_name\", \"started_at\" DESC", index);
        }
        // Every migration of the engine's context is applied, and the history table holds nothing else.
        Assert.Equal(TestDatabase.LedgerMigrations, db.Scalar("SELECT COUNT(*) FROM \"__EFMigrationsHistory\""));
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM alerts"));
    }
}
