using AgentLedger.Commons.Model;
using AgentLedger.Commons.Storage.Entities;
using AgentLedger.Core.Common;

namespace AgentLedger.Commons.Storage;

/// <summary>Rows to records and back; times are normalised to the microseconds the database keeps.</summary>
internal static class CommonsMapping
{
    public static Location ToModel(this LocationEntity e) => new(e.Id, e.Name, e.Area, e.Latitude, e.Longitude, e.Demo);

    public static LocationEntity ToEntity(this Location m) => new()
    {
        Id = m.Id,
        Name = m.Name,
        Area = m.Area,
        Latitude = m.Latitude,
        Longitude = m.Longitude,
        Demo = m.Demo,
    };

    public static ResourceCategory ToModel(this CategoryEntity e) => new(e.Id, e.Name, e.ParentId, e.Perishable, e.Demo);

    public static CategoryEntity ToEntity(this ResourceCategory m) => new()
    {
        Id = m.Id,
        Name = m.Name,
        ParentId = m.ParentId,
        Perishable = m.Perishable,
        Demo = m.Demo,
    };

    public static Member ToModel(this MemberEntity e) => new(e.Id, e.Name, e.LocationId, e.Skills.ToArray(), e.JoinedAt, e.Demo);

    public static MemberEntity ToEntity(this Member m) => new()
    {
        Id = m.Id,
        Name = m.Name,
        LocationId = m.LocationId,
        Skills = [.. m.Skills],
        JoinedAt = LedgerTime.Normalize(m.JoinedAt),
        Demo = m.Demo,
    };

    public static Listing ToModel(this ListingEntity e) => new(
        e.Id, e.Kind, e.MemberId, e.CategoryId, e.Title, e.Description, e.Quantity, e.Unit, e.LocationId,
        e.AvailableFrom, e.AvailableUntil, e.ExpiresAt, e.Status, e.CreatedAt, e.Demo);

    public static ListingEntity ToEntity(this Listing m) => new()
    {
        Id = m.Id,
        Kind = m.Kind,
        MemberId = m.MemberId,
        CategoryId = m.CategoryId,
        Title = m.Title,
        Description = m.Description,
        Quantity = m.Quantity,
        Unit = m.Unit,
        LocationId = m.LocationId,
        AvailableFrom = LedgerTime.Normalize(m.AvailableFrom),
        AvailableUntil = LedgerTime.Normalize(m.AvailableUntil),
        ExpiresAt = LedgerTime.Normalize(m.ExpiresAt),
        Status = m.Status,
        CreatedAt = LedgerTime.Normalize(m.CreatedAt),
        Demo = m.Demo,
    };

    public static InventoryItem ToModel(this InventoryItemEntity e) =>
        new(e.Id, e.LocationId, e.CategoryId, e.Name, e.Quantity, e.Unit, e.Threshold, e.UpdatedAt, e.Demo);

    public static InventoryItemEntity ToEntity(this InventoryItem m) => new()
    {
        Id = m.Id,
        LocationId = m.LocationId,
        CategoryId = m.CategoryId,
        Name = m.Name,
        Quantity = m.Quantity,
        Unit = m.Unit,
        Threshold = m.Threshold,
        UpdatedAt = LedgerTime.Normalize(m.UpdatedAt),
        Demo = m.Demo,
    };

    public static UsageEvent ToModel(this UsageEventEntity e) => new(e.Id, e.ItemId, e.Quantity, e.OccurredAt, e.Demo);

    public static UsageEventEntity ToEntity(this UsageEvent m) => new()
    {
        Id = m.Id,
        ItemId = m.ItemId,
        Quantity = m.Quantity,
        OccurredAt = LedgerTime.Normalize(m.OccurredAt),
        Demo = m.Demo,
    };

    public static WorkPlan ToModel(this WorkPlanEntity e) => new(
        e.Id, e.Title, e.LocationId, e.RequiredSkills.ToArray(), e.MinPeople, e.DurationHours, e.WindowStart, e.WindowEnd,
        e.NeedsWorkParty, e.Status, e.Demo);

    public static WorkPlanEntity ToEntity(this WorkPlan m) => new()
    {
        Id = m.Id,
        Title = m.Title,
        LocationId = m.LocationId,
        RequiredSkills = [.. m.RequiredSkills],
        MinPeople = m.MinPeople,
        DurationHours = m.DurationHours,
        WindowStart = LedgerTime.Normalize(m.WindowStart),
        WindowEnd = LedgerTime.Normalize(m.WindowEnd),
        NeedsWorkParty = m.NeedsWorkParty,
        Status = m.Status,
        Demo = m.Demo,
    };

    public static Commitment ToModel(this CommitmentEntity e) => new(e.Id, e.PlanId, e.MemberId, e.AvailableFrom, e.AvailableUntil, e.Demo);

    public static CommitmentEntity ToEntity(this Commitment m) => new()
    {
        Id = m.Id,
        PlanId = m.PlanId,
        MemberId = m.MemberId,
        AvailableFrom = LedgerTime.Normalize(m.AvailableFrom),
        AvailableUntil = LedgerTime.Normalize(m.AvailableUntil),
        Demo = m.Demo,
    };
}
