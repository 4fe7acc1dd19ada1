using System.Text.Json;
using System.Text.RegularExpressions;
using AgentLedger.Commons.Model;
using AgentLedger.Core.Agents;
using AgentLedger.Core.Executions;
using AgentLedger.Core.Proposals;
using AgentLedger.Core.Runner;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AgentLedger.Tests.Commons.Agents;

/// <summary>A commons reader over a hand-made snapshot.</summary>
internal sealed class InMemoryCommonsReader(CommonsSnapshot snapshot) : ICommonsReader
{
    public int Reads { get; private set; }

    public Task<CommonsSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        Reads++;
        return Task.FromResult(snapshot);
    }
}

/// <summary>
/// A small fixed neighbourhood: places on known coordinates (0.045° of latitude is 5.0 km), named
/// members, and builders whose defaults are "open, no time limits" so each test states only what it is about.
/// </summary>
internal static partial class Commons
{
    public static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    public static readonly Location East = new("loc-east", "Eastside Hub", "Eastside", 52.520, 13.405);
    public static readonly Location East2 = new("loc-east2", "Eastside Garden", "Eastside", 52.525, 13.410);
    public static readonly Location West = new("loc-west", "Westside Library", "Westside", 52.565, 13.405);
    public static readonly Location Far = new("loc-far", "Northfield Farm", "Northfield", 52.720, 13.405);
    public static readonly Location NoCoords = new("loc-river", "Riverside Shed", "Riverside", null, null);

    public static IReadOnlyList<Location> Locations { get; } = [East, East2, West, Far, NoCoords];

    public static IReadOnlyList<Member> Members { get; } =
    [
        Member("m-ana", "Ana", "carpentry"),
        Member("m-ben", "Ben", "plumbing"),
        Member("m-cy", "Cy", "gardening"),
        Member("m-dee", "Dee", "carpentry"),
        Member("m-eli", "Eli", "plumbing"),
        Member("m-fay", "Fay", "welding"),
        Member("m-gus", "Gus"),
        Member("m-hal", "Hal"),
        Member("m-ivy", "Ivy"),
    ];

    public static CommonsSnapshot Snapshot(
        IEnumerable<Listing>? listings = null,
        IEnumerable<InventoryItem>? inventory = null,
        IEnumerable<UsageEvent>? usage = null,
        IEnumerable<WorkPlan>? plans = null,
        IEnumerable<Commitment>? commitments = null,
        IEnumerable<ResourceCategory>? categories = null) =>
        new(Locations, [.. categories ?? []], Members, [.. listings ?? []], [.. inventory ?? []], [.. usage ?? []], [.. plans ?? []], [.. commitments ?? []]);

    public static Listing Offer(string id, string memberId, string categoryId, double quantity, string unit = "kg", string? locationId = null,
        DateTimeOffset? from = null, DateTimeOffset? until = null, DateTimeOffset? expiresAt = null, string? title = null) =>
        new(id, ListingKind.Offer, memberId, categoryId, title ?? $"{categoryId} offer", null, quantity, unit, locationId ?? East.Id,
            from, until, expiresAt, ListingStatus.Open, Now.AddDays(-1));

    public static Listing Need(string id, string memberId, string categoryId, double quantity, string unit = "kg", string? locationId = null,
        DateTimeOffset? from = null, DateTimeOffset? until = null, DateTimeOffset? createdAt = null, string? title = null) =>
        new(id, ListingKind.Need, memberId, categoryId, title ?? $"{categoryId} need", null, quantity, unit, locationId ?? East.Id,
            from, until, null, ListingStatus.Open, createdAt ?? Now.AddDays(-1));

    public static InventoryItem Item(string id, string categoryId, double quantity, double threshold, string unit = "kg", string? locationId = null, string? name = null) =>
        new(id, locationId ?? East.Id, categoryId, name ?? id, quantity, unit, threshold, Now.AddDays(-1));

    private static Member Member(string id, string name, params string[] skills) => new(id, name, East.Id, skills, Now.AddYears(-1));

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>Runs an agent the way the runner does: its defaults, with <paramref name="config"/> if given, started at <paramref name="startedAt"/>.</summary>
    public static async Task<AgentRunResult> RunAsync(IAgent agent, DateTimeOffset? startedAt = null, string? config = null)
    {
        var now = startedAt ?? Now;
        var settings = config is null ? agent.DefaultSettings : agent.DefaultSettings with { Config = Json(config) };
        var context = new AgentContext(Guid.NewGuid(), agent.Name, ExecutionTrigger.Manual, now, settings, new FakeTimeProvider(now), NullLogger.Instance);
        var result = await agent.RunAsync(context, CancellationToken.None);
        AssertWellFormed(result);
        return result;
    }

    /// <summary>What every proposal of every agent must carry: the runner's rules, cited inputs and a short explanation.</summary>
    public static void AssertWellFormed(AgentRunResult result)
    {
        Assert.Null(AgentResultRules.Check(result));
        Assert.Equal(JsonValueKind.Object, result.Metadata?.ValueKind);
        foreach (var proposal in result.Proposals)
        {
            Assert.False(string.IsNullOrWhiteSpace(proposal.Type));
            Assert.False(string.IsNullOrWhiteSpace(proposal.Title));
            Assert.NotNull(proposal.Explanation);
            Assert.InRange(SentenceEnd().Count(proposal.Explanation), 1, 3);
            Assert.NotNull(proposal.InputsUsed);
            Assert.NotEmpty(proposal.InputsUsed);
            Assert.Equal(JsonValueKind.Object, proposal.Data?.ValueKind);
        }
    }

    public static string String(this ProposalDraft proposal, string field) => proposal.Data!.Value.GetProperty(field).GetString()!;

    public static double Number(this ProposalDraft proposal, string field) => proposal.Data!.Value.GetProperty(field).GetDouble();

    public static string[] Strings(this ProposalDraft proposal, string field) =>
        [.. proposal.Data!.Value.GetProperty(field).EnumerateArray().Select(e => e.GetString()!)];

    [GeneratedRegex(@"[.!?](\s|$)")]
    private static partial Regex SentenceEnd();
}
