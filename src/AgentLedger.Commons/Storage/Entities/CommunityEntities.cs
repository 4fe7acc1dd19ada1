namespace AgentLedger.Commons.Storage.Entities;

public sealed class LocationEntity
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string Area { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public bool Demo { get; set; }
}

public sealed class CategoryEntity
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string? ParentId { get; set; }
    public bool Perishable { get; set; }
    public bool Demo { get; set; }
}

public sealed class MemberEntity
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string LocationId { get; set; }

    /// <summary>A JSON array in a text column: skills are only ever read with the member.</summary>
    public List<string> Skills { get; set; } = [];

    public DateTimeOffset JoinedAt { get; set; }
    public bool Demo { get; set; }
}
