namespace AgentLedger.Storage.Entities;

public sealed class AgentEntity
{
    public required string Name { get; set; }
    public required string DisplayName { get; set; }
    public required string Description { get; set; }
    public required string Kind { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
}
