using AgentLedger.Commons.Agents;
using AgentLedger.Commons.Model;
using static AgentLedger.Tests.Commons.Agents.Commons;

namespace AgentLedger.Tests.Commons.Agents;

[Trait("Database", "none")]   // no database: run once, not once per engine (scripts/test.sh)
public sealed class ConquestOfBreadTests
{
    private static readonly ResourceCategory[] Categories =
    [
        new("cat-flour", "Flour", null, false),
        new("cat-milk", "Milk", null, true),
        new("cat-oats", "Oats", null, false),
    ];

    private static readonly Listing[] Listings =
    [
        // Flour: 12 kg needed, 2 kg offered. Ana and Ben are in Eastside, Dee alone in Westside.
        Need("n-f1", "m-ana", "cat-flour", 5),
        Need("n-f2", "m-ben", "cat-flour", 3, locationId: East2.Id),
        Need("n-f3", "m-dee", "cat-flour", 4, locationId: West.Id),
        Offer("o-f1", "m-cy", "cat-flour", 2),
        // Oats: unmet, but one household asking twice.
        Need("n-o1", "m-ana", "cat-oats", 2),
        Need("n-o2", "m-ana", "cat-oats", 1),
        // Rice: plenty on offer.
        Need("n-r1", "m-ben", "cat-rice", 3),
        Need("n-r2", "m-cy", "cat-rice", 2),
        Offer("o-r1", "m-dee", "cat-rice", 10),
        // Milk: the only offer is in kilograms, so nothing meets needs in litres.
        Need("n-m1", "m-ana", "cat-milk", 2, "l"),
        Need("n-m2", "m-ben", "cat-milk", 2, "l", locationId: East2.Id),
        Offer("o-m1", "m-eli", "cat-milk", 10, "kg"),
        // Beans: offered exactly what is needed, which meets it.
        Need("n-b1", "m-ana", "cat-beans", 3),
        Need("n-b2", "m-ben", "cat-beans", 2),
        Offer("o-b1", "m-cy", "cat-beans", 5),
    ];

    private static ConquestOfBreadAgent Agent() => new(new InMemoryCommonsReader(Snapshot(Listings, categories: Categories)));

    [Fact]
    public async Task Groups_unmet_needs_by_category_and_area_when_enough_households_share_them()
    {
        var result = await RunAsync(Agent());

        Assert.Equal(
            [("cat-flour", "Eastside"), ("cat-milk", "Eastside")],
            result.Proposals.Select(p => (p.String("category_id"), p.String("area"))));
        Assert.All(result.Proposals, p => Assert.Equal("collective_sourcing", p.Type));
        Assert.Equal(7, result.Metrics!["needs_unmet"]);
        Assert.Equal(2, result.Metrics["groups_proposed"]);
        Assert.Equal(4 + 11, result.ResourcesProcessed);
    }

    [Fact]
    public async Task A_group_cites_its_needs_and_the_offers_that_fall_short()
    {
        var result = await RunAsync(Agent());

        var flour = result.Proposals[0];
        Assert.Equal(["n-f1", "n-f2", "o-f1"], flour.InputsUsed!);
        Assert.Equal(["n-f1", "n-f2"], flour.Strings("need_ids"));
        Assert.Equal(2, flour.Number("member_count"));
        Assert.Equal(8, flour.Number("total_quantity"));
        Assert.Equal("kg", flour.String("unit"));
        Assert.Equal(2, flour.Number("offered_quantity"));
        Assert.Equal(
            "2 households in Eastside (Ana and Ben) need 8 kg of Flour between them. "
            + "Open offers of Flour total 2 kg against 12 kg needed across the commons. Sourcing it together could meet all of them.",
            flour.Explanation);

        var milk = result.Proposals[1];
        Assert.Equal(["n-m1", "n-m2"], milk.InputsUsed!);
        Assert.Equal("l", milk.String("unit"));
        Assert.Contains("No open offer provides Milk.", milk.Explanation);
    }

    [Theory]
    [InlineData(1, new[] { "cat-flour/Eastside", "cat-milk/Eastside", "cat-flour/Westside", "cat-oats/Eastside" })]
    [InlineData(2, new[] { "cat-flour/Eastside", "cat-milk/Eastside" })]
    [InlineData(3, new string[0])]
    public async Task Min_households_sets_the_group_size(int minHouseholds, string[] groups)
    {
        var result = await RunAsync(Agent(), config: $$"""{"min_households": {{minHouseholds}}}""");

        Assert.Equal(groups, result.Proposals.Select(p => $"{p.String("category_id")}/{p.String("area")}"));
        Assert.Equal(7, result.Metrics!["needs_unmet"]);
    }

    [Fact]
    public void Default_settings_and_config_validation()
    {
        var agent = Agent();

        Assert.True(agent.DefaultSettings.Enabled);
        Assert.Equal(3600, agent.DefaultSettings.IntervalSeconds);
        Assert.Equal(120, agent.DefaultSettings.TimeoutSeconds);
        Assert.Equal("""{"min_households":2}""", agent.DefaultSettings.Config.GetRawText());
        Assert.Empty(agent.ValidateConfig(Json("""{"min_households": 5, "proposal_ttl_hours": 24}""")));
        Assert.Equal(["min_households"], agent.ValidateConfig(Json("""{"min_households": 0}""")).Keys);
        Assert.Equal(["min_households"], agent.ValidateConfig(Json("""{"min_households": 2.5}""")).Keys);
        Assert.Equal(["min_households"], agent.ValidateConfig(Json("""{"min_households": "2"}""")).Keys);
    }
}
