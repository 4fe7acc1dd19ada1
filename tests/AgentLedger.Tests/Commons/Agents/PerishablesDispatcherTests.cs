using AgentLedger.Commons.Agents;
using AgentLedger.Commons.Model;
using static AgentLedger.Tests.Commons.Agents.Commons;

namespace AgentLedger.Tests.Commons.Agents;

[Trait("Database", "none")]   // no database: run once, not once per engine (scripts/test.sh)
public sealed class PerishablesDispatcherTests
{
    private static readonly ResourceCategory Bread = new("cat-bread", "Bread", null, Perishable: true);

    private static Listing Expiring(string id, TimeSpan left) => Offer(id, "m-ana", "cat-veg", 2, expiresAt: Now + left);

    // Each tier's limit is inclusive: 12.0 h is critical, 12.0001 h urgent.
    private static readonly Listing[] Boundaries =
    [
        Expiring("o-gone", TimeSpan.FromHours(-1)),
        Expiring("o-now", TimeSpan.Zero),
        Expiring("o-soonest", TimeSpan.FromHours(0.0001)),
        Expiring("o-12", TimeSpan.FromHours(12)),
        Expiring("o-12-plus", TimeSpan.FromHours(12.0001)),
        Expiring("o-48", TimeSpan.FromHours(48)),
        Expiring("o-48-plus", TimeSpan.FromHours(48.0001)),
        Expiring("o-168", TimeSpan.FromHours(168)),
        Expiring("o-168-plus", TimeSpan.FromHours(168.0001)),
        Offer("o-keeps", "m-ana", "cat-veg", 2),
        Need("n-veg", "m-ben", "cat-veg", 1, locationId: West.Id),
    ];

    private static PerishablesDispatcherAgent Agent(IEnumerable<Listing> listings) =>
        new(new InMemoryCommonsReader(Snapshot(listings, categories: [Bread])));

    [Fact]
    public async Task Tiers_follow_the_hour_limits_exactly_at_the_boundaries()
    {
        var result = await RunAsync(Agent(Boundaries));

        Assert.Equal(
            [
                ("o-soonest", "urgent_exchange", "critical"),
                ("o-12", "urgent_exchange", "critical"),
                ("o-12-plus", "urgent_exchange", "urgent"),
                ("o-48", "urgent_exchange", "urgent"),
                ("o-48-plus", "batch_cooking", "redistribute"),
                ("o-168", "batch_cooking", "redistribute"),
            ],
            result.Proposals.Select(p => (p.String("offer_id"), p.Type, p.String("tier"))));
        Assert.Equal([0.0001, 12, 12.0001, 48, 48.0001, 168], result.Proposals.Select(p => p.Number("hours_left")));
    }

    [Fact]
    public async Task Metrics_count_each_tier_and_the_expired_offers()
    {
        var result = await RunAsync(Agent(Boundaries));

        Assert.Equal(2, result.Metrics!["critical"]);
        Assert.Equal(2, result.Metrics["urgent"]);
        Assert.Equal(2, result.Metrics["redistribute"]);
        Assert.Equal(2, result.Metrics["expired_skipped"]);
        Assert.Equal(11, result.ResourcesProcessed);
    }

    [Fact]
    public async Task Hours_left_count_from_the_run_start()
    {
        // An hour later, the 12.0001 h offer is critical and the 168 h one is still in the week.
        var result = await RunAsync(Agent(Boundaries), startedAt: Now.AddHours(1));

        Assert.Equal("critical", result.Proposals.Single(p => p.String("offer_id") == "o-12-plus").String("tier"));
        Assert.Equal(167, result.Proposals.Single(p => p.String("offer_id") == "o-168").Number("hours_left"));
        Assert.Equal(3, result.Metrics!["expired_skipped"]);
    }

    [Fact]
    public async Task Urgent_exchanges_list_the_category_needs_of_others_nearest_first()
    {
        var listings = new[]
        {
            Offer("o-bread", "m-ana", "cat-bread", 4, expiresAt: Now.AddHours(5), title: "Sourdough"),
            Need("n-ben", "m-ben", "cat-bread", 1, locationId: West.Id),
            Need("n-cy", "m-cy", "cat-bread", 1, locationId: East2.Id),
            Need("n-dee", "m-dee", "cat-bread", 1, locationId: NoCoords.Id),
            Need("n-ana", "m-ana", "cat-bread", 1),
            Need("n-eli", "m-eli", "cat-bread", 1),
            Need("n-fay", "m-fay", "cat-veg", 1),
        };

        var proposal = Assert.Single((await RunAsync(Agent(listings))).Proposals);

        Assert.Equal(["n-eli", "n-cy", "n-ben", "n-dee"], proposal.Strings("candidate_need_ids"));
        Assert.Equal(["o-bread", "n-eli", "n-cy", "n-ben", "n-dee"], proposal.InputsUsed!);
        Assert.Equal("2026-11-27T17:00:00Z", proposal.String("expires_at"));
        Assert.Equal(
            "Ana's 4 kg of \"Sourdough\" at Eastside Hub expires in 5 h (critical). "
            + "Open needs for Bread, nearest first: Eli (0.0 km), Cy (0.7 km), Ben (5.0 km) and 1 more.",
            proposal.Explanation);
    }

    [Fact]
    public async Task An_urgent_offer_without_needs_is_still_flagged_and_cites_only_itself()
    {
        var proposal = Assert.Single((await RunAsync(Agent([Offer("o-bread", "m-ana", "cat-bread", 4, expiresAt: Now.AddHours(30))]))).Proposals);

        Assert.Equal("urgent", proposal.String("tier"));
        Assert.Empty(proposal.Strings("candidate_need_ids"));
        Assert.Equal(["o-bread"], proposal.InputsUsed!);
        Assert.Contains("No one has an open need for Bread", proposal.Explanation);
    }

    [Fact]
    public async Task Batch_cooking_cites_the_offer_and_says_how_long_it_keeps()
    {
        var proposal = Assert.Single((await RunAsync(Agent([Offer("o-veg", "m-ana", "cat-veg", 10, expiresAt: Now.AddHours(72), title: "Courgettes")]))).Proposals);

        Assert.Equal("batch_cooking", proposal.Type);
        Assert.Equal(["o-veg"], proposal.InputsUsed!);
        Assert.StartsWith("Ana's 10 kg of \"Courgettes\" at Eastside Hub keeps for 3 more days", proposal.Explanation);
    }

    [Fact]
    public async Task Configured_limits_move_the_tiers()
    {
        var result = await RunAsync(Agent(Boundaries), config: """{"critical_hours": 6, "proposal_ttl_hours": 12}""");

        Assert.Equal("urgent", result.Proposals.Single(p => p.String("offer_id") == "o-12").String("tier"));
        Assert.Equal(1, result.Metrics!["critical"]);
        Assert.Equal(3, result.Metrics["urgent"]);
    }

    [Fact]
    public void Default_settings()
    {
        var settings = Agent([]).DefaultSettings;

        Assert.True(settings.Enabled);
        Assert.Equal(600, settings.IntervalSeconds);
        Assert.Equal(120, settings.TimeoutSeconds);
        Assert.Equal("""{"critical_hours":12,"urgent_hours":48,"redistribute_hours":168}""", settings.Config.GetRawText());
        Assert.Empty(Agent([]).ValidateConfig(settings.Config));
    }

    [Theory]
    [InlineData("""{"critical_hours": 0}""", "critical_hours")]
    [InlineData("""{"critical_hours": "12"}""", "critical_hours")]
    [InlineData("""{"urgent_hours": 10}""", "urgent_hours")]
    [InlineData("""{"urgent_hours": 12}""", "urgent_hours")]
    [InlineData("""{"redistribute_hours": 48}""", "redistribute_hours")]
    [InlineData("""{"redistribute_hours": 1e9}""", "redistribute_hours")]
    public void Invalid_configs_name_the_field(string config, string field) =>
        Assert.Equal([field], Agent([]).ValidateConfig(Json(config)).Keys);

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"proposal_ttl_hours": 6}""")]
    [InlineData("""{"critical_hours": 2, "urgent_hours": 3, "redistribute_hours": 4}""")]
    public void Valid_configs_pass(string config) => Assert.Empty(Agent([]).ValidateConfig(Json(config)));
}
