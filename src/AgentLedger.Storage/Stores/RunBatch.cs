using AgentLedger.Storage.Entities;
using AgentLedger.Storage.Rollups;

namespace AgentLedger.Storage.Stores;

/// <summary>
/// The writes of many finished runs in one transaction (an OTLP batch), gathered and then written together:
/// the rows in one insert, their rollup deltas merged and written once per agent and hour.
/// </summary>
internal sealed class RunBatch
{
    private readonly List<ExecutionEntity> _rows = [];

    public RollupBatch Rollups { get; } = new();

    public void Add(ExecutionEntity row) => _rows.Add(row);

    public async Task FlushAsync(LedgerDbContext db, string conflict, CancellationToken cancellationToken)
    {
        try
        {
            await LedgerStatements.InsertManyAsync(db, _rows, cancellationToken);
        }
        catch (System.Data.Common.DbException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            throw new AgentLedger.Core.Common.ConflictException(conflict);
        }
        _rows.Clear();
        await Rollups.FlushAsync(db, cancellationToken);
    }
}
