using AgentLedger.Commons.Model;

namespace AgentLedger.Commons.Storage.Entities;

public sealed class WorkPlanEntity
{
    public required string Id { get; set; }
    public required string Title { get; set; }
    public required string LocationId { get; set; }

    /// <summary>A JSON array in a text column, like a member's skills.</summary>
    public List<string> RequiredSkills { get; set; } = [];

    public int MinPeople { get; set; }
    public double DurationHours { get; set; }
    public DateTimeOffset WindowStart { get; set; }
    public DateTimeOffset WindowEnd { get; set; }
    public bool NeedsWorkParty { get; set; }
    public PlanStatus Status { get; set; }
    public bool Demo { get; set; }
}

public sealed class CommitmentEntity
{
    public required string Id { get; set; }
    public required string PlanId { get; set; }
    public required string MemberId { get; set; }
    public DateTimeOffset AvailableFrom { get; set; }
    public DateTimeOffset AvailableUntil { get; set; }
    public bool Demo { get; set; }
}
