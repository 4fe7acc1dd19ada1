namespace AgentLedger.Commons.Model;

// The commons data the built-in agents read, ValueFlows flavoured: who (members) has or needs
// what (listings of a resource category), where (locations), what is in stock (inventory and
// its usage), and what work is planned (plans and the commitments people made to them).
// Demo records carry Demo = true so seeded data is never mistaken for a real community's.

public sealed record Location(string Id, string Name, string Area, double? Latitude, double? Longitude, bool Demo = false);

public sealed record ResourceCategory(string Id, string Name, string? ParentId, bool Perishable, bool Demo = false);

public sealed record Member(string Id, string Name, string LocationId, IReadOnlyList<string> Skills, DateTimeOffset JoinedAt, bool Demo = false);

public enum ListingKind
{
    Offer,
    Need,
}

public enum ListingStatus
{
    Open,
    Fulfilled,
    Withdrawn,
}

/// <summary>An offer or a need. The available window is when it can change hands; expiry is when an offer (food) spoils.</summary>
public sealed record Listing(
    string Id,
    ListingKind Kind,
    string MemberId,
    string CategoryId,
    string Title,
    string? Description,
    double Quantity,
    string Unit,
    string LocationId,
    DateTimeOffset? AvailableFrom,
    DateTimeOffset? AvailableUntil,
    DateTimeOffset? ExpiresAt,
    ListingStatus Status,
    DateTimeOffset CreatedAt,
    bool Demo = false);

/// <summary>Stock of one thing at one location; below <see cref="Threshold"/> it needs replenishing.</summary>
public sealed record InventoryItem(
    string Id,
    string LocationId,
    string CategoryId,
    string Name,
    double Quantity,
    string Unit,
    double Threshold,
    DateTimeOffset UpdatedAt,
    bool Demo = false);

/// <summary>Stock taken out of an inventory item; the inventory agent derives usage rates from these.</summary>
public sealed record UsageEvent(string Id, string ItemId, double Quantity, DateTimeOffset OccurredAt, bool Demo = false);

public enum PlanStatus
{
    Open,
    Scheduled,
    Done,
    Cancelled,
}

/// <summary>Planned work (a garden bed, a repair day) that may need a work party.</summary>
public sealed record WorkPlan(
    string Id,
    string Title,
    string LocationId,
    IReadOnlyList<string> RequiredSkills,
    int MinPeople,
    double DurationHours,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    bool NeedsWorkParty,
    PlanStatus Status,
    bool Demo = false);

/// <summary>A member's offer to help with a plan during a time range.</summary>
public sealed record Commitment(string Id, string PlanId, string MemberId, DateTimeOffset AvailableFrom, DateTimeOffset AvailableUntil, bool Demo = false);

/// <summary>Everything an agent run reads, taken at one moment.</summary>
public sealed record CommonsSnapshot(
    IReadOnlyList<Location> Locations,
    IReadOnlyList<ResourceCategory> Categories,
    IReadOnlyList<Member> Members,
    IReadOnlyList<Listing> Listings,
    IReadOnlyList<InventoryItem> Inventory,
    IReadOnlyList<UsageEvent> UsageEvents,
    IReadOnlyList<WorkPlan> Plans,
    IReadOnlyList<Commitment> Commitments)
{
    public static CommonsSnapshot Empty { get; } = new([], [], [], [], [], [], [], []);
}

public interface ICommonsReader
{
    Task<CommonsSnapshot> ReadAsync(CancellationToken cancellationToken);
}
