using AgentLedger.Commons.Model;
using AgentLedger.Commons.Storage;
using AgentLedger.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AgentLedger.Commons.Demo;

/// <summary>
/// Seeds <see cref="DemoCommunity"/> into a fresh database. A database that holds any commons
/// record or any execution is somebody's data, so it is never seeded: demo rows must not mix
/// with a real community's, nor demo stats with real runs.
/// </summary>
public sealed partial class DemoSeeder(
    ICommonsDbContextFactory commons,
    ILedgerDbContextFactory ledger,
    TimeProvider time,
    ILogger<DemoSeeder> logger)
{
    /// <summary>Returns what was seeded, or null when the database was not empty.</summary>
    public async Task<CommonsSnapshot?> SeedAsync(CancellationToken cancellationToken)
    {
        await using (var ledgerDb = ledger.Create())
        {
            if (await ledgerDb.Executions.AnyAsync(cancellationToken))
            {
                LogNotEmpty(logger, "the ledger already has executions");
                return null;
            }
        }

        await using var db = commons.Create();
        // The emptiness check and the inserts share one write transaction, so two starting
        // processes cannot both seed.
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await IsEmptyAsync(db, cancellationToken))
        {
            LogNotEmpty(logger, "the commons tables already hold data");
            return null;
        }
        var demo = DemoCommunity.Build(time.GetUtcNow());
        db.Locations.AddRange(demo.Locations.Select(x => x.ToEntity()));
        db.Categories.AddRange(demo.Categories.Select(x => x.ToEntity()));
        db.Members.AddRange(demo.Members.Select(x => x.ToEntity()));
        db.Listings.AddRange(demo.Listings.Select(x => x.ToEntity()));
        db.InventoryItems.AddRange(demo.Inventory.Select(x => x.ToEntity()));
        db.UsageEvents.AddRange(demo.UsageEvents.Select(x => x.ToEntity()));
        db.Plans.AddRange(demo.Plans.Select(x => x.ToEntity()));
        db.Commitments.AddRange(demo.Commitments.Select(x => x.ToEntity()));
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);

        LogSeeded(logger, demo.Locations.Count, demo.Categories.Count, demo.Members.Count, demo.Listings.Count,
            demo.Inventory.Count, demo.UsageEvents.Count, demo.Plans.Count, demo.Commitments.Count);
        return demo;
    }

    private static async Task<bool> IsEmptyAsync(CommonsDbContext db, CancellationToken cancellationToken) =>
        !await db.Locations.AnyAsync(cancellationToken)
        && !await db.Categories.AnyAsync(cancellationToken)
        && !await db.Members.AnyAsync(cancellationToken)
        && !await db.Listings.AnyAsync(cancellationToken)
        && !await db.InventoryItems.AnyAsync(cancellationToken)
        && !await db.UsageEvents.AnyAsync(cancellationToken)
        && !await db.Plans.AnyAsync(cancellationToken)
        && !await db.Commitments.AnyAsync(cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo commons not seeded: {Reason}")]
    private static partial void LogNotEmpty(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded the demo commons: {Locations} locations, {Categories} categories, {Members} members, " +
        "{Listings} listings, {Inventory} inventory items, {UsageEvents} usage events, {Plans} plans, {Commitments} commitments")]
    private static partial void LogSeeded(ILogger logger, int locations, int categories, int members, int listings, int inventory, int usageEvents, int plans, int commitments);
}
