using AgentLedger.Commons.Agents;
using AgentLedger.Commons.Model;
using static AgentLedger.Tests.Commons.Agents.Commons;

namespace AgentLedger.Tests.Commons.Agents;

[Trait("Database", "none")]   // no database: run once, not once per engine (scripts/test.sh)
public sealed class InventoryAgentTests
{
    private static readonly InventoryItem[] Items =
    [
        Item("i-rice", "cat-rice", 3, 10, name: "Rice"),            // below threshold
        Item("i-oil", "cat-oil", 10, 10, "l", name: "Oil"),        // at threshold, unused: fine
        Item("i-beans", "cat-beans", 20, 5, name: "Beans"),        // 3 a day: 6.67 days left
        Item("i-salt", "cat-salt", 30, 5, name: "Salt"),           // 2 a day: 15 days left
        Item("i-pasta", "cat-pasta", 14, 2, name: "Pasta"),        // 2 a day: exactly 7 days left
        Item("i-sugar", "cat-sugar", 14.1, 2, name: "Sugar"),      // 2 a day: 7.05 days left
    ];

    private static readonly UsageEvent[] Usage =
    [
        new("e-b1", "i-beans", 14, Now.AddDays(-14)),                       // first instant of the 14-day window
        new("e-b2", "i-beans", 14, Now.AddDays(-7)),
        new("e-b3", "i-beans", 14, Now.AddHours(-1)),
        new("e-b-old", "i-beans", 1000, Now.AddDays(-14).AddSeconds(-1)),   // just outside the window
        new("e-s1", "i-salt", 28, Now.AddDays(-2)),
        new("e-s-old", "i-salt", 1000, Now.AddDays(-15)),
        new("e-s-future", "i-salt", 1000, Now.AddHours(1)),
        new("e-p1", "i-pasta", 28, Now.AddDays(-3)),
        new("e-u1", "i-sugar", 28, Now.AddDays(-3)),
        new("e-r1", "i-rice", 100, Now.AddDays(-1)),
    ];

    private static InventoryAgent Agent() => new(new InMemoryCommonsReader(Snapshot(inventory: Items, usage: Usage)));

    [Fact]
    public async Task Flags_exactly_the_items_below_threshold_and_those_running_out_within_the_lead_time()
    {
        var result = await RunAsync(Agent());

        Assert.Equal(
            [("i-beans", "shortage_warning"), ("i-pasta", "shortage_warning"), ("i-rice", "replenishment")],
            result.Proposals.Select(p => (p.String("item_id"), p.Type)));
        Assert.Equal(6, result.Metrics!["items_checked"]);
        Assert.Equal(3, result.Metrics["shortages"]);
        Assert.Equal(6 + 10, result.ResourcesProcessed);
    }

    [Fact]
    public async Task Replenishment_suggests_restocking_to_twice_the_threshold()
    {
        var rice = (await RunAsync(Agent())).Proposals.Single(p => p.Type == "replenishment");

        Assert.Equal(3, rice.Number("quantity"));
        Assert.Equal(10, rice.Number("threshold"));
        Assert.Equal(17, rice.Number("suggested_quantity"));
        Assert.Equal(["i-rice"], rice.InputsUsed!);
        Assert.Equal("Eastside Hub has 3 kg of Rice, below its threshold of 10 kg. Adding 17 kg brings it to twice the threshold.", rice.Explanation);
    }

    [Fact]
    public async Task Shortage_warning_uses_only_the_usage_inside_the_window_and_cites_it()
    {
        var beans = (await RunAsync(Agent())).Proposals.Single(p => p.String("item_id") == "i-beans");

        Assert.Equal(3, beans.Number("daily_rate"));
        Assert.Equal(6.6667, beans.Number("days_left"));
        Assert.Equal(["i-beans", "e-b1", "e-b2", "e-b3"], beans.InputsUsed!);
        Assert.Equal(
            "Eastside Hub has 20 kg of Beans; 3 uses took 42 kg over the last 14 days (3 kg a day). "
            + "At that rate it runs out in 6.67 days, within the 7-day lead time for restocking.",
            beans.Explanation);
    }

    [Fact]
    public async Task The_window_and_lead_time_come_from_the_config()
    {
        // Over 7 days beans, pasta and sugar use 4 a day; salt's 30 kg still last 7.5 days.
        var shorter = await RunAsync(Agent(), config: """{"usage_window_days": 7}""");
        Assert.Equal(["i-beans", "i-pasta", "i-rice", "i-sugar"], shorter.Proposals.Select(p => p.String("item_id")));
        Assert.Equal(["i-beans", "e-b2", "e-b3"], shorter.Proposals[0].InputsUsed!);

        var longerLead = await RunAsync(Agent(), config: """{"lead_time_days": 7.1}""");
        Assert.Equal(["i-beans", "i-pasta", "i-rice", "i-sugar"], longerLead.Proposals.Select(p => p.String("item_id")));
    }

    [Fact]
    public void Is_opt_in_by_default()
    {
        var settings = Agent().DefaultSettings;

        Assert.False(settings.Enabled);
        Assert.Equal(3600, settings.IntervalSeconds);
        Assert.Equal(120, settings.TimeoutSeconds);
        Assert.Equal("""{"usage_window_days":14,"lead_time_days":7}""", settings.Config.GetRawText());
        Assert.Empty(Agent().ValidateConfig(settings.Config));
    }

    [Theory]
    [InlineData("""{"usage_window_days": 31}""", "usage_window_days")]
    [InlineData("""{"usage_window_days": 0}""", "usage_window_days")]
    [InlineData("""{"usage_window_days": 1.5}""", "usage_window_days")]
    [InlineData("""{"usage_window_days": "14"}""", "usage_window_days")]
    [InlineData("""{"lead_time_days": 0}""", "lead_time_days")]
    [InlineData("""{"lead_time_days": -2}""", "lead_time_days")]
    [InlineData("""{"lead_time_days": [7]}""", "lead_time_days")]
    public void Invalid_configs_name_the_field(string config, string field) =>
        Assert.Equal([field], Agent().ValidateConfig(Json(config)).Keys);

    [Theory]
    [InlineData("""{"usage_window_days": 30, "lead_time_days": 0.5, "proposal_ttl_hours": 24}""")]
    [InlineData("""{"usage_window_days": 1}""")]
    public void Valid_configs_pass(string config) => Assert.Empty(Agent().ValidateConfig(Json(config)));
}
