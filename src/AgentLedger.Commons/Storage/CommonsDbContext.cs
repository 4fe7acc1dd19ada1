using AgentLedger.Commons.Model;
using AgentLedger.Commons.Storage.Entities;
using AgentLedger.Core.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AgentLedger.Commons.Storage;

/// <summary>
/// The commons model, in the ledger's database but with its own tables (<c>commons_…</c>) and
/// migrations history, so it can evolve apart from the ledger. Each engine derives its own
/// context for its migrations (see <see cref="Sqlite.SqliteCommonsDbContext"/>).
/// </summary>
public abstract class CommonsDbContext(DbContextOptions options) : DbContext(options)
{
    public const int IdLength = 36;
    public const int NameLength = 200;
    public const int UnitLength = 32;
    public const int DescriptionLength = 4000;

    public DbSet<LocationEntity> Locations => Set<LocationEntity>();
    public DbSet<CategoryEntity> Categories => Set<CategoryEntity>();
    public DbSet<MemberEntity> Members => Set<MemberEntity>();
    public DbSet<ListingEntity> Listings => Set<ListingEntity>();
    public DbSet<InventoryItemEntity> InventoryItems => Set<InventoryItemEntity>();
    public DbSet<UsageEventEntity> UsageEvents => Set<UsageEventEntity>();
    public DbSet<WorkPlanEntity> Plans => Set<WorkPlanEntity>();
    public DbSet<CommitmentEntity> Commitments => Set<CommitmentEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<LocationEntity>(e =>
        {
            e.ToTable("commons_locations");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(IdLength);
            e.Property(x => x.Name).HasMaxLength(NameLength);
            e.Property(x => x.Area).HasMaxLength(NameLength);
        });

        modelBuilder.Entity<CategoryEntity>(e =>
        {
            e.ToTable("commons_categories");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(IdLength);
            e.Property(x => x.ParentId).HasMaxLength(IdLength);
            e.Property(x => x.Name).HasMaxLength(NameLength);
            e.HasOne<CategoryEntity>().WithMany().HasForeignKey(x => x.ParentId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<MemberEntity>(e =>
        {
            e.ToTable("commons_members");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(IdLength);
            e.Property(x => x.Name).HasMaxLength(NameLength);
            References<MemberEntity, LocationEntity>(e, x => x.LocationId);
        });

        modelBuilder.Entity<ListingEntity>(e =>
        {
            e.ToTable("commons_listings");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(IdLength);
            e.Property(x => x.Kind).HasConversion<WireNameConverter<ListingKind>>().HasMaxLength(16);
            e.Property(x => x.Status).HasConversion<WireNameConverter<ListingStatus>>().HasMaxLength(16);
            e.Property(x => x.Title).HasMaxLength(NameLength);
            e.Property(x => x.Description).HasMaxLength(DescriptionLength);
            e.Property(x => x.Unit).HasMaxLength(UnitLength);
            References<ListingEntity, MemberEntity>(e, x => x.MemberId);
            References<ListingEntity, CategoryEntity>(e, x => x.CategoryId);
            References<ListingEntity, LocationEntity>(e, x => x.LocationId);
            // What the agents read (open offers and needs of a category) and what the API filters on.
            e.HasIndex(x => new { x.Status, x.Kind, x.CategoryId });
            // Newest-first paging: (created_at, id) is the keyset.
            e.HasIndex(x => new { x.CreatedAt, x.Id }).IsDescending(true, true);
        });

        modelBuilder.Entity<InventoryItemEntity>(e =>
        {
            e.ToTable("commons_inventory_items");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(IdLength);
            e.Property(x => x.Name).HasMaxLength(NameLength);
            e.Property(x => x.Unit).HasMaxLength(UnitLength);
            References<InventoryItemEntity, LocationEntity>(e, x => x.LocationId);
            References<InventoryItemEntity, CategoryEntity>(e, x => x.CategoryId);
        });

        modelBuilder.Entity<UsageEventEntity>(e =>
        {
            e.ToTable("commons_usage_events");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(IdLength);
            References<UsageEventEntity, InventoryItemEntity>(e, x => x.ItemId);
            // An item's usage over time (rates), and the recent usage of everything (the reader).
            e.HasIndex(x => new { x.ItemId, x.OccurredAt });
            e.HasIndex(x => x.OccurredAt);
        });

        modelBuilder.Entity<WorkPlanEntity>(e =>
        {
            e.ToTable("commons_plans");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(IdLength);
            e.Property(x => x.Title).HasMaxLength(NameLength);
            e.Property(x => x.Status).HasConversion<WireNameConverter<PlanStatus>>().HasMaxLength(16);
            References<WorkPlanEntity, LocationEntity>(e, x => x.LocationId);
            e.HasIndex(x => new { x.Status, x.WindowStart });
        });

        modelBuilder.Entity<CommitmentEntity>(e =>
        {
            e.ToTable("commons_commitments");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(IdLength);
            References<CommitmentEntity, WorkPlanEntity>(e, x => x.PlanId);
            References<CommitmentEntity, MemberEntity>(e, x => x.MemberId);
        });
    }

    // Restrict: the commons keeps history, so a referenced row is never silently cascaded away.
    private static void References<TDependent, TPrincipal>(EntityTypeBuilder<TDependent> e, System.Linq.Expressions.Expression<Func<TDependent, object?>> foreignKey)
        where TDependent : class
        where TPrincipal : class
    {
        e.HasOne<TPrincipal>().WithMany().HasForeignKey(foreignKey).OnDelete(DeleteBehavior.Restrict);
        e.Property(foreignKey).HasMaxLength(IdLength);
    }

    /// <summary>Enums are stored by their wire names ("offer", "open"), readable in SQL and stable if members are reordered.</summary>
    private sealed class WireNameConverter<T>() : ValueConverter<T, string>(v => WireNames<T>.Of(v), s => Parse(s))
        where T : struct, Enum
    {
        private static T Parse(string text) =>
            WireNames<T>.TryParse(text, out var value) ? value : throw new InvalidOperationException($"'{text}' is not a {typeof(T).Name}.");
    }
}
