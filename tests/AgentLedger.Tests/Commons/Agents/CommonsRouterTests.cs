using System.Text.Json;
using AgentLedger.Commons.Agents;
using AgentLedger.Commons.Model;
using static AgentLedger.Tests.Commons.Agents.Commons;

namespace AgentLedger.Tests.Commons.Agents;

[Trait("Database", "none")]   // no database: run once, not once per engine (scripts/test.sh)
public sealed class CommonsRouterTests
{
    // Seen from Westside Library: Eastside Garden is 4.5 km away, Eastside Hub 5.0 km, Northfield Farm 17 km.
    private static readonly InventoryItem[] Inventory =
    [
        Item("i-east", "cat-rice", 20, 10, name: "Rice"),                                 // surplus 10
        Item("i-east2", "cat-rice", 16, 10, locationId: East2.Id, name: "Rice"),          // surplus 6
        Item("i-far", "cat-rice", 110, 10, locationId: Far.Id, name: "Rice"),             // surplus 100
        Item("i-bags", "cat-rice", 200, 100, "bags", locationId: West.Id, name: "Rice"),  // right there, but counted in bags
        Item("i-low", "cat-rice", 12, 10, locationId: West.Id, name: "Rice"),             // right there, surplus only 2
        Item("i-beans", "cat-beans", 10, 5, name: "Beans"),
    ];

    private static readonly Listing[] Listings =
    [
        Need("n-ben", "m-ben", "cat-rice", 6, locationId: West.Id, createdAt: Now.AddDays(-3), title: "Rice for the week"),
        Need("n-cy", "m-cy", "cat-rice", 4, locationId: West.Id, createdAt: Now.AddDays(-2)),
        Need("n-dee", "m-dee", "cat-oil", 3, "l", locationId: West.Id),
        Need("n-eli", "m-eli", "cat-beans", 2, locationId: NoCoords.Id, title: "Beans"),
        Need("n-fay", "m-fay", "cat-rice", 50, locationId: West.Id),
        Offer("o-rice", "m-gus", "cat-rice", 5, locationId: West.Id),
    ];

    private static CommonsRouterAgent Agent() => new(new InMemoryCommonsReader(Snapshot(Listings, Inventory)));

    [Fact]
    public async Task Routes_each_need_to_the_nearest_item_with_enough_surplus_in_the_same_unit()
    {
        var result = await RunAsync(Agent());

        // Ben (oldest) takes Eastside Garden's whole surplus of 6, so Cy's 4 comes from Eastside Hub,
        // and only the farm can spare Fay's 50. Nothing holds oil.
        Assert.Equal(
            [("n-ben", "i-east2"), ("n-cy", "i-east"), ("n-eli", "i-beans"), ("n-fay", "i-far")],
            result.Proposals.Select(p => (p.String("need_id"), p.String("item_id"))));
        Assert.All(result.Proposals, p => Assert.Equal("inventory_allocation", p.Type));
        Assert.All(result.Proposals, p => Assert.Equal([p.String("need_id"), p.String("item_id")], p.InputsUsed!));
        Assert.Equal(5, result.Metrics!["needs_checked"]);
        Assert.Equal(4, result.Metrics["routes_found"]);
        Assert.Equal(5 + 6, result.ResourcesProcessed);
    }

    [Fact]
    public async Task Data_and_explanation_name_the_places_and_the_distance()
    {
        var result = await RunAsync(Agent());

        var ben = result.Proposals[0];
        Assert.Equal("loc-east2", ben.String("from_location_id"));
        Assert.Equal("loc-west", ben.String("to_location_id"));
        Assert.Equal(4.46, ben.Number("distance_km"), 0.01);
        Assert.Equal(6, ben.Number("surplus_before"));
        Assert.Equal(
            "Eastside Garden holds 16 kg of Rice, 6 kg above its threshold of 10 kg. "
            + "That covers Ben's need for 6 kg (\"Rice for the week\") 4.5 km away at Westside Library.",
            ben.Explanation);

        var eli = result.Proposals[2];
        Assert.Equal(JsonValueKind.Null, eli.Data!.Value.GetProperty("distance_km").ValueKind);
        Assert.EndsWith("at Riverside Shed (distance unknown).", eli.Explanation);
    }

    [Fact]
    public async Task A_same_place_item_wins_when_it_has_the_surplus()
    {
        // Surplus 50: Ben's 6 and Cy's 4 leave 40, too little for Fay's 50.
        var inventory = Inventory.Append(Item("i-west", "cat-rice", 60, 10, locationId: West.Id, name: "Rice"));
        var result = await RunAsync(new CommonsRouterAgent(new InMemoryCommonsReader(Snapshot(Listings, inventory))));

        Assert.Equal(["i-west", "i-west", "i-beans", "i-far"], result.Proposals.Select(p => p.String("item_id")));
        Assert.Equal(0, result.Proposals[0].Number("distance_km"));
        Assert.Contains("at the same place", result.Proposals[0].Explanation);
    }

    [Fact]
    public void Default_settings_and_config()
    {
        var agent = Agent();

        Assert.True(agent.DefaultSettings.Enabled);
        Assert.Equal(1800, agent.DefaultSettings.IntervalSeconds);
        Assert.Equal(120, agent.DefaultSettings.TimeoutSeconds);
        Assert.Equal("{}", agent.DefaultSettings.Config.GetRawText());
        Assert.Empty(agent.ValidateConfig(Json("""{"proposal_ttl_hours": 24}""")));
    }
}
