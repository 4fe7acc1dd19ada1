using AgentLedger.Commons.Agents;
using AgentLedger.Commons.Model;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Common;
using Microsoft.Extensions.DependencyInjection;
using static AgentLedger.Tests.Commons.Agents.Commons;

namespace AgentLedger.Tests.Commons.Agents;

[Trait("Database", "none")]   // no database: run once, not once per engine (scripts/test.sh)
public sealed class CommonsAgentsRegistrationTests
{
    private static readonly string[] Names =
        ["commons-router", "conquest-of-bread", "inventory-agent", "mutual-aid-matchmaker", "perishables-dispatcher", "work-party-scheduler"];

    private static ServiceProvider Services(InMemoryCommonsReader reader)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ICommonsReader>(reader);
        services.AddCommonsAgents();
        services.AddCommonsAgents();
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Registers_each_agent_once_as_a_singleton_that_a_catalog_accepts()
    {
        using var provider = Services(new InMemoryCommonsReader(CommonsSnapshot.Empty));

        var agents = provider.GetServices<IAgent>().ToList();

        Assert.Equal(Names, agents.Select(a => a.Name).Order(StringComparer.Ordinal));
        Assert.Same(agents[0], provider.GetServices<IAgent>().First());
        Assert.Equal(6, new AgentCatalog(agents).All.Count);
        Assert.All(agents, a => Assert.True(AgentNames.IsValid(a.Name)));
    }

    [Fact]
    public void Every_agent_describes_itself_and_its_defaults_are_valid()
    {
        using var provider = Services(new InMemoryCommonsReader(CommonsSnapshot.Empty));

        foreach (var agent in provider.GetServices<IAgent>())
        {
            Assert.False(string.IsNullOrWhiteSpace(agent.DisplayName));
            Assert.False(string.IsNullOrWhiteSpace(agent.Description));
            Assert.DoesNotContain('\n', agent.Description);
            Assert.Equal(120, agent.DefaultSettings.TimeoutSeconds);
            Assert.Empty(agent.ValidateConfig(agent.DefaultSettings.Config));
            Assert.Empty(agent.ValidateConfig(Json("""{"proposal_ttl_hours": 24}""")));
        }
    }

    [Fact]
    public async Task Every_agent_reads_one_snapshot_per_run_and_an_empty_commons_gives_an_empty_run()
    {
        var reader = new InMemoryCommonsReader(CommonsSnapshot.Empty);
        using var provider = Services(reader);

        foreach (var agent in provider.GetServices<IAgent>())
        {
            var result = await RunAsync(agent);

            Assert.Empty(result.Proposals);
            Assert.Equal(0, result.ResourcesProcessed);
            Assert.All(result.Metrics!.Values, v => Assert.Equal(0, v));
            Assert.Equal(0, result.Metadata!.Value.GetProperty("records_examined").GetInt64());
        }
        Assert.Equal(6, reader.Reads);
    }

    [Fact]
    public void Haversine_matches_a_known_distance()
    {
        // London to Paris, about 343.5 km on a sphere of the mean Earth radius.
        Assert.Equal(343.5, Geo.HaversineKm(51.5074, -0.1278, 48.8566, 2.3522), 0.5);
        Assert.Equal(0, Geo.HaversineKm(52.52, 13.405, 52.52, 13.405));
    }
}
