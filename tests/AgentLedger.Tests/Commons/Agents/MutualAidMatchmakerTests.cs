using AgentLedger.Commons.Agents;
using AgentLedger.Commons.Model;
using static AgentLedger.Tests.Commons.Agents.Commons;

namespace AgentLedger.Tests.Commons.Agents;

[Trait("Database", "none")]   // no database: run once, not once per engine (scripts/test.sh)
public sealed class MutualAidMatchmakerTests
{
    // With the default weights 0.4/0.3/0.3 and threshold 0.6. "Same area" is Eastside Hub ↔ Eastside Garden.
    private static readonly Listing[] Listings =
    [
        // 1.0: same place, open windows, enough quantity.
        Offer("o-fruit", "m-ana", "cat-fruit", 5, title: "Apples"),
        Need("n-fruit", "m-ben", "cat-fruit", 3, title: "Apples for pie"),
        Need("n-fruit-done", "m-cy", "cat-fruit", 3) with { Status = ListingStatus.Fulfilled },
        // Just above: 0.4*0.7 + 0.3*1 + 0.3*0.1 = 0.61.
        Offer("o-jam", "m-ana", "cat-jam", 1),
        Need("n-jam", "m-ben", "cat-jam", 10, locationId: East2.Id),
        // Just below: 0.4*0.7 + 0.3*1 + 0.3*0.03 = 0.589.
        Offer("o-honey", "m-ana", "cat-honey", 0.3),
        Need("n-honey", "m-ben", "cat-honey", 10, locationId: East2.Id),
        // Different categories at the same place: never paired.
        Offer("o-drill", "m-cy", "cat-tools", 1, "pcs"),
        Need("n-flour", "m-dee", "cat-flour", 1, "pcs"),
        // Eli's own need is skipped; Dee's need in the same category matches.
        Offer("o-eggs", "m-eli", "cat-eggs", 12, "pcs"),
        Need("n-eggs-self", "m-eli", "cat-eggs", 6, "pcs"),
        Need("n-eggs", "m-dee", "cat-eggs", 6, "pcs"),
        // Different units cannot be compared: not a compatible pair, never scored (it would score 0.88 with the same unit).
        Offer("o-milk", "m-ana", "cat-milk", 5, "l"),
        Need("n-milk", "m-ben", "cat-milk", 3, "kg", locationId: East2.Id),
        // Disjoint windows: the two are never free at once, so the pair is not compatible.
        Offer("o-soup", "m-ana", "cat-soup", 5, from: Now.AddDays(1), until: Now.AddDays(2)),
        Need("n-soup", "m-ben", "cat-soup", 3, locationId: East2.Id, from: Now.AddDays(3), until: Now.AddDays(4)),
        // Half of the shorter window overlaps: 0.28 + 0.3*0.5 + 0.3 = 0.73.
        Offer("o-bread", "m-ana", "cat-bread", 5, from: Now, until: Now.AddHours(4)),
        Need("n-bread", "m-ben", "cat-bread", 3, locationId: East2.Id, from: Now.AddHours(2), until: Now.AddHours(6)),
        // 22 km apart, beyond max_distance_km: 0 + 0.3 + 0.3 = exactly the threshold.
        Offer("o-grain", "m-ana", "cat-grain", 5),
        Need("n-grain", "m-ben", "cat-grain", 3, locationId: Far.Id),
        // 5.0 km apart in another area: location 1 - 5.004/10 ≈ 0.4996, total ≈ 0.7998.
        Offer("o-veg", "m-ana", "cat-veg", 5, title: "Leeks"),
        Need("n-veg", "m-ben", "cat-veg", 3, locationId: West.Id, title: "Soup greens"),
    ];

    private static MutualAidMatchmakerAgent Agent(IEnumerable<Listing>? listings = null) =>
        new(new InMemoryCommonsReader(Snapshot(listings ?? Listings)));

    [Fact]
    public async Task Proposes_exactly_the_compatible_pairs_at_or_above_the_threshold_best_first()
    {
        var result = await RunAsync(Agent());

        Assert.Equal(
            [("o-eggs", "n-eggs"), ("o-fruit", "n-fruit"), ("o-veg", "n-veg"), ("o-bread", "n-bread"), ("o-jam", "n-jam"), ("o-grain", "n-grain")],
            result.Proposals.Select(p => (p.String("offer_id"), p.String("need_id"))));
        Assert.All(result.Proposals, p => Assert.Equal("match", p.Type));
        Assert.All(result.Proposals, p => Assert.Equal([p.String("offer_id"), p.String("need_id")], p.InputsUsed!));
        Assert.Equal([1, 1, 0.7998, 0.73, 0.61, 0.6], result.Proposals.Select(p => p.Number("score")), new Tolerance(0.0001));
    }

    [Fact]
    public async Task Metrics_count_compatible_pairs_and_matches()
    {
        var result = await RunAsync(Agent());

        // fruit, jam, honey, eggs (Dee only), bread, grain, veg; not the self, fulfilled, cross-category, other-unit or disjoint-window pairs.
        Assert.Equal(7, result.Metrics!["pairs_scored"]);
        Assert.Equal(6, result.Metrics["matches_found"]);
        Assert.Equal(10 + 11, result.ResourcesProcessed);
        Assert.Equal(7, result.Metadata!.Value.GetProperty("counts").GetProperty("pairs_scored").GetDouble());
    }

    [Fact]
    public async Task Data_holds_the_score_components_and_the_explanation_names_the_records()
    {
        var result = await RunAsync(Agent());

        var veg = result.Proposals.Single(p => p.String("offer_id") == "o-veg");
        var components = veg.Data!.Value.GetProperty("components");
        Assert.Equal(0.4996, components.GetProperty("location").GetDouble(), 0.0005);
        Assert.Equal(1, components.GetProperty("time").GetDouble());
        Assert.Equal(1, components.GetProperty("quantity").GetDouble());
        Assert.Equal(5.004, veg.Number("distance_km"), 0.01);
        Assert.Equal("cat-veg", veg.String("category_id"));
        Assert.Equal(
            "Ana offers 5 kg of \"Leeks\" at Eastside Hub; Ben needs 3 kg (\"Soup greens\") at Westside Library, 5.0 km away. "
            + "Their time windows overlap. Match score 0.80 (location 0.50, time 1.00, quantity 1.00).",
            veg.Explanation);

        var bread = result.Proposals.Single(p => p.String("offer_id") == "o-bread");
        Assert.Equal(0.7, bread.Data!.Value.GetProperty("components").GetProperty("location").GetDouble());
        Assert.Equal(0.5, bread.Data!.Value.GetProperty("components").GetProperty("time").GetDouble());
        Assert.Contains("partly overlap", bread.Explanation);
        Assert.Contains("at the same place, Eastside Hub", result.Proposals.Single(p => p.String("offer_id") == "o-fruit").Explanation);
    }

    [Fact]
    public async Task Configured_weights_are_normalised_and_the_threshold_applies()
    {
        // Only location counts (2/2 after normalising): only same-place pairs reach 0.9.
        var result = await RunAsync(Agent(), config: """{"min_match_score": 0.9, "weights": {"location": 2, "time": 0, "quantity": 0}, "proposal_ttl_hours": 24}""");

        Assert.Equal(["o-eggs", "o-fruit"], result.Proposals.Select(p => p.String("offer_id")));
        Assert.All(result.Proposals, p => Assert.Equal(1, p.Number("score")));
        Assert.Equal(7, result.Metrics!["pairs_scored"]);
    }

    [Theory]
    [InlineData(8, 0.3745)]  // 1 - 5.004/8
    [InlineData(50, 0.7)]    // 0.9 would outrank a place in one's own area, so it is capped at the same-area score
    [InlineData(5, 0)]       // beyond the limit
    public async Task Location_decays_with_distance_over_max_distance_km(double maxDistanceKm, double expected)
    {
        var result = await RunAsync(Agent(Listings.Where(l => l.CategoryId == "cat-veg")), config: $$"""{"max_distance_km": {{maxDistanceKm}}, "min_match_score": 0}""");

        var proposal = Assert.Single(result.Proposals);
        Assert.Equal(expected, proposal.Data!.Value.GetProperty("components").GetProperty("location").GetDouble(), 0.0005);
    }

    [Fact]
    public async Task Nothing_to_pair_is_an_empty_run()
    {
        var reader = new InMemoryCommonsReader(CommonsSnapshot.Empty);
        var result = await RunAsync(new MutualAidMatchmakerAgent(reader));

        Assert.Empty(result.Proposals);
        Assert.Equal(0, result.Metrics!["pairs_scored"]);
        Assert.Equal(0, result.ResourcesProcessed);
        Assert.Equal(1, reader.Reads);
    }

    [Fact]
    public void Time_overlap_handles_open_ended_disjoint_touching_and_partial_windows()
    {
        var t = Now;
        Assert.Equal(1, MutualAidMatching.TimeOverlap(null, null, t, t.AddHours(1)));
        Assert.Equal(1, MutualAidMatching.TimeOverlap(t, null, null, t.AddHours(1)));
        Assert.Equal(0, MutualAidMatching.TimeOverlap(null, t, t.AddHours(1), null));
        Assert.Equal(0, MutualAidMatching.TimeOverlap(t, t.AddHours(2), t.AddHours(2), t.AddHours(4)));
        Assert.Equal(1, MutualAidMatching.TimeOverlap(t, t.AddHours(10), t.AddHours(2), t.AddHours(4)));
        Assert.Equal(0.25, MutualAidMatching.TimeOverlap(t, t.AddHours(4), t.AddHours(3), t.AddHours(8)));
        Assert.Equal(1, MutualAidMatching.TimeOverlap(t.AddHours(1), t.AddHours(1), t, t.AddHours(2)));
        Assert.Equal(0, MutualAidMatching.TimeOverlap(t.AddHours(2), t, null, null));
    }

    [Fact]
    public void Quantity_is_the_covered_share_of_the_need_in_the_same_unit()
    {
        Assert.Equal(0.5, MutualAidMatching.QuantityScore(Offer("o", "m-ana", "c", 2, "KG "), Need("n", "m-ben", "c", 4, "kg")));
        Assert.Equal(1, MutualAidMatching.QuantityScore(Offer("o", "m-ana", "c", 9), Need("n", "m-ben", "c", 4)));
        Assert.Equal(0, MutualAidMatching.QuantityScore(Offer("o", "m-ana", "c", 9, "l"), Need("n", "m-ben", "c", 4, "kg")));
    }

    [Fact]
    public void Default_settings_are_the_production_schedule_and_the_config_defaults()
    {
        var settings = Agent().DefaultSettings;

        Assert.True(settings.Enabled);
        Assert.Equal(900, settings.IntervalSeconds);
        Assert.Equal(120, settings.TimeoutSeconds);
        Assert.Equal(
            """{"min_match_score":0.6,"weights":{"location":0.4,"time":0.3,"quantity":0.3},"max_distance_km":10}""",
            settings.Config.GetRawText());
        Assert.Empty(Agent().ValidateConfig(settings.Config));
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"proposal_ttl_hours": 48, "something_else": "x"}""")]
    [InlineData("""{"min_match_score": 0, "weights": {"time": 1}, "max_distance_km": 0.5}""")]
    [InlineData("""{"min_match_score": 1, "weights": {"location": 0, "time": 0, "quantity": 2}}""")]
    public void Valid_configs_pass(string config) => Assert.Empty(Agent().ValidateConfig(Json(config)));

    [Theory]
    [InlineData("""{"min_match_score": 1.5}""", "min_match_score")]
    [InlineData("""{"min_match_score": -0.1}""", "min_match_score")]
    [InlineData("""{"min_match_score": "0.7"}""", "min_match_score")]
    [InlineData("""{"min_match_score": null}""", "min_match_score")]
    [InlineData("""{"max_distance_km": 0}""", "max_distance_km")]
    [InlineData("""{"max_distance_km": true}""", "max_distance_km")]
    [InlineData("""{"weights": 3}""", "weights")]
    [InlineData("""{"weights": {"location": -1}}""", "weights.location")]
    [InlineData("""{"weights": {"time": "high"}}""", "weights.time")]
    [InlineData("""{"weights": {"location": 0, "time": 0, "quantity": 0}}""", "weights")]
    [InlineData("""{"weights": {"distance": 1}}""", "weights.distance")]
    public void Invalid_configs_name_the_field(string config, string field)
    {
        var errors = Agent().ValidateConfig(Json(config));

        Assert.Equal([field], errors.Keys);
        Assert.NotEmpty(errors[field]);
    }

    [Fact]
    public void Every_bad_field_is_reported_at_once()
    {
        var errors = Agent().ValidateConfig(Json("""{"min_match_score": 2, "max_distance_km": -1, "weights": {"quantity": -3}}"""));

        Assert.Equal(["max_distance_km", "min_match_score", "weights.quantity"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["must be a number in [0, 1]"], errors["min_match_score"]);
    }

    [Fact]
    public async Task A_run_with_an_invalid_stored_config_fails_loudly()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync(Agent(), config: """{"min_match_score": 3}"""));

        Assert.Contains("min_match_score", error.Message);
    }
}
