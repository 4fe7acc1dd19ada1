using System.Text.Json;
using AgentLedger.Commons.Model;
using AgentLedger.Core.Common;
using AgentLedger.Core.Proposals;

namespace AgentLedger.Commons.Agents;

/// <summary>Finds open offers that will spoil soon and proposes getting them to people before they do.</summary>
public sealed class PerishablesDispatcherAgent(ICommonsReader reader) : CommonsAgent<PerishablesConfig>(reader)
{
    public override string Name => "perishables-dispatcher";

    public override string DisplayName => "Perishables dispatcher";

    public override string Description => "Flags offers that expire soon: urgent exchanges for the next two days, batch cooking for the week.";

    protected override int IntervalSeconds => 600;

    protected override PerishablesConfig DefaultConfig => PerishablesConfig.Default;

    protected override PerishablesConfig ReadConfig(ConfigReader config) => PerishablesConfig.Read(config);

    protected override CommonsFindings Evaluate(CommonsSnapshot snapshot, DateTimeOffset now, PerishablesConfig config) =>
        PerishablesTriage.Evaluate(snapshot, now, config);
}

/// <summary>Upper limits (inclusive, in hours left before expiry) of each tier.</summary>
public sealed record PerishablesConfig(double CriticalHours, double UrgentHours, double RedistributeHours)
{
    public static PerishablesConfig Default { get; } = new(12, 48, 168);

    public static PerishablesConfig Read(ConfigReader config)
    {
        const double year = 24 * 366;
        var critical = config.Number("critical_hours", Default.CriticalHours, 0, year, minExclusive: true);
        var urgent = config.Number("urgent_hours", Default.UrgentHours, 0, year, minExclusive: true);
        var redistribute = config.Number("redistribute_hours", Default.RedistributeHours, 0, year, minExclusive: true);
        if (urgent <= critical)
        {
            config.Error("urgent_hours", "must be greater than critical_hours");
        }
        if (redistribute <= urgent)
        {
            config.Error("redistribute_hours", "must be greater than urgent_hours");
        }
        return new PerishablesConfig(critical, urgent, redistribute);
    }
}

public enum PerishableTier
{
    Critical,
    Urgent,
    Redistribute,
}

public static class PerishablesTriage
{
    public static PerishableTier? Tier(double hoursLeft, PerishablesConfig config) => hoursLeft switch
    {
        <= 0 => null,
        _ when hoursLeft <= config.CriticalHours => PerishableTier.Critical,
        _ when hoursLeft <= config.UrgentHours => PerishableTier.Urgent,
        _ when hoursLeft <= config.RedistributeHours => PerishableTier.Redistribute,
        _ => null,
    };

    public static CommonsFindings Evaluate(CommonsSnapshot snapshot, DateTimeOffset now, PerishablesConfig config)
    {
        var lookup = new CommonsLookup(snapshot);
        var offers = snapshot.Listings.Where(l => l is { Kind: ListingKind.Offer, Status: ListingStatus.Open }).ToList();
        var needs = snapshot.Listings.Where(l => l is { Kind: ListingKind.Need, Status: ListingStatus.Open }).ToList();
        var counts = new Dictionary<string, double>
        {
            ["critical"] = 0,
            ["urgent"] = 0,
            ["redistribute"] = 0,
            ["expired_skipped"] = 0,
        };

        var found = new List<(Listing Offer, double HoursLeft, ProposalDraft Proposal)>();
        foreach (var offer in offers)
        {
            if (offer.ExpiresAt is not { } expiresAt)
            {
                continue;
            }
            var hoursLeft = (expiresAt - now).TotalHours;
            if (hoursLeft <= 0)
            {
                counts["expired_skipped"]++;
                continue;
            }
            if (Tier(hoursLeft, config) is not { } tier)
            {
                continue;
            }
            counts[WireNames<PerishableTier>.Of(tier)]++;
            var proposal = tier == PerishableTier.Redistribute
                ? BatchCooking(offer, hoursLeft, lookup)
                : UrgentExchange(offer, tier, hoursLeft, Candidates(offer, needs, lookup), lookup);
            found.Add((offer, hoursLeft, proposal));
        }

        var proposals = found
            .OrderBy(f => f.HoursLeft)
            .ThenBy(f => f.Offer.Id, StringComparer.Ordinal)
            .Select(f => f.Proposal)
            .ToList();
        return new CommonsFindings(proposals, offers.Count + needs.Count, counts);
    }

    /// <summary>Open needs of the offer's category from other members, nearest first (unknown distances last).</summary>
    private static List<(Listing Need, double? DistanceKm)> Candidates(Listing offer, List<Listing> needs, CommonsLookup lookup) =>
        needs
            .Where(n => MutualAidMatching.Compatible(offer, n))
            .Select(n => (Need: n, DistanceKm: lookup.DistanceKm(offer.LocationId, n.LocationId)))
            .OrderBy(c => c.DistanceKm is null)
            .ThenBy(c => c.DistanceKm ?? 0)
            .ThenBy(c => c.Need.Id, StringComparer.Ordinal)
            .ToList();

    private static ProposalDraft UrgentExchange(Listing offer, PerishableTier tier, double hoursLeft, List<(Listing Need, double? DistanceKm)> candidates, CommonsLookup lookup)
    {
        var tierName = WireNames<PerishableTier>.Of(tier);
        var who = candidates
            .Take(3)
            .Select(c => $"{lookup.MemberName(c.Need.MemberId)} ({(c.DistanceKm is { } km ? CommonsText.Km(km) : "distance unknown")})")
            .ToList();
        if (candidates.Count > 3)
        {
            who.Add($"{candidates.Count - 3} more");
        }
        var next = candidates.Count == 0
            ? $"No one has an open need for {lookup.CategoryName(offer.CategoryId)} yet, so it should be offered around now."
            : $"Open needs for {lookup.CategoryName(offer.CategoryId)}, nearest first: {CommonsText.List(who)}.";
        return new ProposalDraft(
            Type: "urgent_exchange",
            Title: $"Pass on \"{offer.Title}\" within {CommonsText.Hours(hoursLeft)}",
            Explanation: $"{Describe(offer, lookup)} expires in {CommonsText.Hours(hoursLeft)} ({tierName}). {next}",
            InputsUsed: [offer.Id, .. candidates.Select(c => c.Need.Id)],
            Data: CommonsText.Data(new
            {
                offer_id = offer.Id,
                tier = tierName,
                hours_left = CommonsText.Round(hoursLeft),
                expires_at = CommonsText.Iso(offer.ExpiresAt!.Value),
                candidate_need_ids = candidates.Select(c => c.Need.Id).ToArray(),
            }));
    }

    private static ProposalDraft BatchCooking(Listing offer, double hoursLeft, CommonsLookup lookup) => new(
        Type: "batch_cooking",
        Title: $"Batch-cook \"{offer.Title}\" this week",
        Explanation: $"{Describe(offer, lookup)} keeps for {CommonsText.Number(hoursLeft / 24)} more days: "
            + "time enough to cook it in a batch and share it before it spoils.",
        InputsUsed: [offer.Id],
        Data: CommonsText.Data(new
        {
            offer_id = offer.Id,
            tier = WireNames<PerishableTier>.Of(PerishableTier.Redistribute),
            hours_left = CommonsText.Round(hoursLeft),
            expires_at = CommonsText.Iso(offer.ExpiresAt!.Value),
        }));

    private static string Describe(Listing offer, CommonsLookup lookup) =>
        $"{lookup.MemberName(offer.MemberId)}'s {CommonsText.Quantity(offer.Quantity, offer.Unit)} of \"{offer.Title}\" at {lookup.LocationName(offer.LocationId)}";
}
