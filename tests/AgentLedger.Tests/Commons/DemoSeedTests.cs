using AgentLedger.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AgentLedger.Tests.Commons;

/// <summary>Demo mode seeds a fresh database, and never one that holds anybody's data.</summary>
public sealed class DemoSeedTests : IDisposable
{
    private readonly TestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task A_demo_host_seeds_a_fresh_database_with_a_small_community_all_marked_demo()
    {
        using (var host = DemoHost())
        {
            var open = await host.CreateClient().GetNodeAsync("/api/commons/listings?status=open&limit=500");
            Assert.InRange(open["items"]!.AsArray().Count, 40, 55);
            Assert.All(open["items"]!.AsArray(), l => Assert.True((bool)l!["demo"]!));
        }

        var counts = _db.CommonsRowCounts();
        Assert.InRange(counts["commons_locations"], 5, 8);
        Assert.InRange(counts["commons_categories"], 10, 14);
        Assert.InRange(counts["commons_members"], 35, 45);
        Assert.InRange(counts["commons_listings"], 45, 55);
        Assert.InRange(counts["commons_inventory_items"], 12, 18);
        Assert.InRange(counts["commons_usage_events"], 50, 300);
        Assert.InRange(counts["commons_plans"], 5, 8);
        Assert.InRange(counts["commons_commitments"], 10, 40);
        Assert.Equal(3, _db.Scalar("SELECT COUNT(DISTINCT area) FROM commons_locations"));
        Assert.Equal(3, _db.Scalar("SELECT COUNT(DISTINCT location_id) FROM commons_inventory_items"));
        Assert.InRange(_db.Scalar("SELECT COUNT(*) FROM commons_plans WHERE status = 'open' AND needs_work_party"), 5, 6);
        Assert.InRange(_db.Scalar("SELECT COUNT(*) FROM commons_inventory_items WHERE quantity < threshold"), 3, 6);
        Assert.Equal(2, _db.Scalar("SELECT COUNT(DISTINCT kind) FROM commons_listings"));
        Assert.Equal(3, _db.Scalar("SELECT COUNT(DISTINCT status) FROM commons_listings"));
        foreach (var table in CommonsTables.Names)
        {
            Assert.Equal(0, _db.Scalar($"SELECT COUNT(*) FROM {table} WHERE NOT demo"));
        }
        Assert.Equal(0, _db.RowCounts()["agent_executions"]);
    }

    [Fact]
    public async Task A_seeded_database_is_not_seeded_again()
    {
        using (var host = DemoHost())
        {
            (await host.CreateClient().GetAsync("/health/ready")).EnsureSuccessStatusCode();
        }
        var seeded = _db.CommonsRowCounts();

        using (var again = DemoHost())
        {
            (await again.CreateClient().GetAsync("/health/ready")).EnsureSuccessStatusCode();
        }

        Assert.Equal(seeded, _db.CommonsRowCounts());
    }

    [Fact]
    public async Task A_database_with_an_execution_is_not_seeded()
    {
        using (var plain = new LedgerFactory(_db))
        {
            await plain.CreateAuthorizedClient().ReportAsync(new { agent_name = "py-matchmaker", status = "success" });
        }

        using (var demo = DemoHost())
        {
            var listings = await demo.CreateClient().GetNodeAsync("/api/commons/listings");
            Assert.Empty(listings["items"]!.AsArray());
        }

        Assert.All(_db.CommonsRowCounts().Values, count => Assert.Equal(0, count));
        Assert.Equal(1, _db.RowCounts()["agent_executions"]);
    }

    [Fact]
    public async Task A_database_with_commons_data_is_not_seeded()
    {
        using (var plain = new LedgerFactory(_db))
        {
            await plain.CreateAuthorizedClient().PostExpectAsync("/api/commons/locations", new { name = "Our pantry", area = "Here" }, 201);
        }

        using (var demo = DemoHost())
        {
            (await demo.CreateClient().GetAsync("/health/ready")).EnsureSuccessStatusCode();
        }

        var counts = _db.CommonsRowCounts();
        Assert.Equal(1, counts["commons_locations"]);
        Assert.Equal(0, counts.Where(p => p.Key != "commons_locations").Sum(p => p.Value));
    }

    [Fact]
    public async Task Without_demo_mode_nothing_is_seeded()
    {
        using (var plain = new LedgerFactory(_db))
        {
            (await plain.CreateClient().GetAsync("/health/ready")).EnsureSuccessStatusCode();
        }

        Assert.All(_db.CommonsRowCounts().Values, count => Assert.Equal(0, count));
    }

    private WebApplicationFactory<Program> DemoHost() =>
        new LedgerFactory(_db).WithWebHostBuilder(b => b.UseSetting("AgentLedger:Demo", "true"));
}
