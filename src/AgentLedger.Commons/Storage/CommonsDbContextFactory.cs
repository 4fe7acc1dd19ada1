using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Commons.Storage;

/// <summary>Hands out the provider's context as the shared model type, so the stores are engine-agnostic.</summary>
public interface ICommonsDbContextFactory
{
    CommonsDbContext Create();
}

internal sealed class CommonsDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : ICommonsDbContextFactory
    where TContext : CommonsDbContext
{
    public CommonsDbContext Create() => inner.CreateDbContext();
}
