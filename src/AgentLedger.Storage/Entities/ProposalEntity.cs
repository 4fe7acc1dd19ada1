namespace AgentLedger.Storage.Entities;

public sealed class ProposalEntity
{
    public long Seq { get; set; }
    public Guid Id { get; set; }
    public Guid ExecutionId { get; set; }
    public required string AgentName { get; set; }
    public required string Type { get; set; }
    public required string Title { get; set; }
    public string? Explanation { get; set; }
    public required string InputsUsed { get; set; }
    public string? Data { get; set; }
    public required string Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? DecidedBy { get; set; }
    public string? DecidedByKey { get; set; }
    public string? DecisionReason { get; set; }
}
