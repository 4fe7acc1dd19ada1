using AgentLedger.Storage.Entities;

namespace AgentLedger.Storage.Stores;

/// <summary>
/// The rows of many finished runs in one transaction (an OTLP batch), gathered and then written in one insert.
/// Their rollup deltas go to the write pipeline's <see cref="Rollups.RollupBatch"/>, written once per agent and hour.
/// </summary>
internal sealed class RunBatch
{
    private readonly List<ExecutionEntity> _rows = [];

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
    }
}
