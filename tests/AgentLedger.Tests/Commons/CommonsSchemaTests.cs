using AgentLedger.Tests.Infrastructure;

namespace AgentLedger.Tests.Commons;

public sealed class CommonsSchemaTests
{
    [Fact]
    public async Task Start_up_migrates_the_commons_into_the_ledgers_database_with_its_own_history()
    {
        using var db = new TestDatabase();
        using (var host = new LedgerFactory(db))
        {
            (await host.CreateClient().GetAsync("/health/ready")).EnsureSuccessStatusCode();
        }

        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM __commons_migrations"));
        Assert.Equal(TestDatabase.LedgerMigrations, db.Scalar("SELECT COUNT(*) FROM \"__EFMigrationsHistory\""));
        if (TestDatabase.IsPostgres)
        {
            Assert.All(CommonsTables.Names, table => Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM information_schema.tables WHERE table_name = '{table}'")));
            Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'commons_usage_events' AND indexdef LIKE '%(item_id, occurred_at)%'"));
            Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'commons_listings' AND indexdef LIKE '%(status, kind, category_id)%'"));
            Assert.Contains("char", (string?)db.Query("SELECT data_type FROM information_schema.columns WHERE table_name = 'commons_listings' AND column_name = 'kind'"));
            // PostgreSQL keeps a list of strings as a native text[] array.
            Assert.Equal("ARRAY", (string?)db.Query("SELECT data_type FROM information_schema.columns WHERE table_name = 'commons_members' AND column_name = 'skills'"));
        }
        else
        {
            Assert.All(CommonsTables.Names, table => Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'")));
            Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND sql LIKE '%commons_usage_events%\"item_id\", \"occurred_at\"%'"));
            Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND sql LIKE '%commons_listings%\"status\", \"kind\", \"category_id\"%'"));
            // Enums are stored by their wire names, lists of skills as JSON text.
            Assert.Contains("TEXT", (string?)db.Query("SELECT type FROM pragma_table_info('commons_listings') WHERE name = 'kind'"));
            Assert.Contains("TEXT", (string?)db.Query("SELECT type FROM pragma_table_info('commons_members') WHERE name = 'skills'"));
        }
    }

    [Fact]
    public async Task Enums_and_skills_are_readable_in_the_database()
    {
        using var db = new TestDatabase();
        using var host = new LedgerFactory(db);
        var client = host.CreateAuthorizedClient();
        var location = (string)(await client.PostExpectAsync("/api/commons/locations", new { name = "P", area = "A" }, 201))["id"]!;
        var category = (string)(await client.PostExpectAsync("/api/commons/categories", new { name = "C" }, 201))["id"]!;
        var member = (string)(await client.PostExpectAsync("/api/commons/members", new { name = "M", location_id = location, skills = new[] { "bike repair" } }, 201))["id"]!;
        await client.PostExpectAsync("/api/commons/listings", new { kind = "need", member_id = member, category_id = category, title = "T", location_id = location }, 201);

        Assert.Equal("need|open", db.Query("SELECT kind || '|' || status FROM commons_listings"));
        Assert.Equal(
            TestDatabase.IsPostgres ? "bike repair" : "[\"bike repair\"]",
            db.Query(TestDatabase.IsPostgres ? "SELECT array_to_string(skills, ',') FROM commons_members" : "SELECT skills FROM commons_members"));
    }
}
