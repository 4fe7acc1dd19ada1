using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Storage;

/// <summary>Hands out the provider's context as the shared model type, so stores are engine-agnostic.</summary>
public interface ILedgerDbContextFactory
{
    LedgerDbContext Create();
}

internal sealed class LedgerDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : ILedgerDbContextFactory
    where TContext : LedgerDbContext
{
    public LedgerDbContext Create() => inner.CreateDbContext();
}
