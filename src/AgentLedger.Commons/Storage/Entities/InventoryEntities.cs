namespace AgentLedger.Commons.Storage.Entities;

public sealed class InventoryItemEntity
{
    public required string Id { get; set; }
    public required string LocationId { get; set; }
    public required string CategoryId { get; set; }
    public required string Name { get; set; }
    public double Quantity { get; set; }
    public required string Unit { get; set; }
    public double Threshold { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public bool Demo { get; set; }
}

public sealed class UsageEventEntity
{
    public required string Id { get; set; }
    public required string ItemId { get; set; }
    public double Quantity { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public bool Demo { get; set; }
}
