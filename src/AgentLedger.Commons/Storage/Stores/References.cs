using AgentLedger.Core.Common;
using Microsoft.EntityFrameworkCore;

namespace AgentLedger.Commons.Storage.Stores;

/// <summary>
/// Checks, inside the writing transaction, that the ids a new record points at exist, and reports
/// every missing one by its wire field name (a 400), instead of letting a foreign key fail (a 500).
/// </summary>
internal sealed class References(CommonsDbContext db)
{
    private readonly Dictionary<string, string[]> _missing = [];

    public async Task<References> CheckAsync<TEntity>(string field, string? id, string noun, CancellationToken cancellationToken)
        where TEntity : class
    {
        if (id is not null && !await db.Set<TEntity>().AnyAsync(e => EF.Property<string>(e, "Id") == id, cancellationToken))
        {
            _missing[field] = [$"no {noun} has id '{id}'"];
        }
        return this;
    }

    public void ThrowIfMissing()
    {
        if (_missing.Count > 0)
        {
            throw new ValidationException(_missing);
        }
    }
}
