using AgentLedger.Core.Agents;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentLedger.Commons.Agents;

public static class CommonsAgentsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the built-in community agents as <see cref="IAgent"/> singletons. They need an
    /// <c>ICommonsReader</c>, which the commons storage registers. Calling this twice adds nothing
    /// the second time, since two agents with one name would stop the catalog from starting.
    /// </summary>
    public static IServiceCollection AddCommonsAgents(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAgent, MutualAidMatchmakerAgent>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAgent, PerishablesDispatcherAgent>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAgent, InventoryAgent>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAgent, WorkPartySchedulerAgent>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAgent, CommonsRouterAgent>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAgent, ConquestOfBreadAgent>());
        return services;
    }
}
