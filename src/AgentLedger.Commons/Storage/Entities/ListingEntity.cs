using AgentLedger.Commons.Model;

namespace AgentLedger.Commons.Storage.Entities;

public sealed class ListingEntity
{
    public required string Id { get; set; }
    public ListingKind Kind { get; set; }
    public required string MemberId { get; set; }
    public required string CategoryId { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }
    public double Quantity { get; set; }
    public required string Unit { get; set; }
    public required string LocationId { get; set; }
    public DateTimeOffset? AvailableFrom { get; set; }
    public DateTimeOffset? AvailableUntil { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public ListingStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public bool Demo { get; set; }
}
