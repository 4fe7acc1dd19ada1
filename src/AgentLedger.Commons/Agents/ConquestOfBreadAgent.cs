using System.Text.Json;
using AgentLedger.Commons.Model;
using AgentLedger.Core.Proposals;

namespace AgentLedger.Commons.Agents;

/// <summary>Groups needs the commons' offers cannot meet, so neighbours can source them together.</summary>
public sealed class ConquestOfBreadAgent(ICommonsReader reader) : CommonsAgent<ConquestConfig>(reader)
{
    public override string Name => "conquest-of-bread";

    public override string DisplayName => "Conquest of bread";

    public override string Description => "Proposes collective sourcing where several households in an area need what no open offer provides.";

    protected override int IntervalSeconds => 3600;

    protected override ConquestConfig DefaultConfig => ConquestConfig.Default;

    protected override ConquestConfig ReadConfig(ConfigReader config) => ConquestConfig.Read(config);

    protected override CommonsFindings Evaluate(CommonsSnapshot snapshot, DateTimeOffset now, ConquestConfig config) =>
        CollectiveSourcing.Evaluate(snapshot, config);
}

public sealed record ConquestConfig(int MinHouseholds)
{
    public static ConquestConfig Default { get; } = new(2);

    public static ConquestConfig Read(ConfigReader config) =>
        new(config.Integer("min_households", Default.MinHouseholds, 1, 10_000));
}

public static class CollectiveSourcing
{
    public static CommonsFindings Evaluate(CommonsSnapshot snapshot, ConquestConfig config)
    {
        var lookup = new CommonsLookup(snapshot);
        var offers = snapshot.Listings.Where(l => l is { Kind: ListingKind.Offer, Status: ListingStatus.Open }).ToList();
        var needs = snapshot.Listings.Where(l => l is { Kind: ListingKind.Need, Status: ListingStatus.Open }).ToList();

        // Supply and demand are compared per category and unit: kilograms cannot meet a need for litres.
        var offersBySupply = offers.ToLookup(Supply);
        var needed = needs.GroupBy(Supply).ToDictionary(g => g.Key, g => g.Sum(n => n.Quantity));
        var unmet = needs.Where(n => offersBySupply[Supply(n)].Sum(o => o.Quantity) < needed[Supply(n)]).ToList();

        var proposals = unmet
            .GroupBy(n => (Supply: Supply(n), Area: lookup.Area(n.LocationId) ?? string.Empty))
            .Select(g => (g.Key.Supply, Area: g.Key.Area.Length == 0 ? null : g.Key.Area, Needs: g.OrderBy(n => n.Id, StringComparer.Ordinal).ToList()))
            .Where(g => g.Needs.Select(n => n.MemberId).Distinct(StringComparer.Ordinal).Count() >= config.MinHouseholds)
            .OrderByDescending(g => g.Needs.Select(n => n.MemberId).Distinct(StringComparer.Ordinal).Count())
            .ThenBy(g => g.Supply.CategoryId, StringComparer.Ordinal)
            .ThenBy(g => g.Area, StringComparer.Ordinal)
            .ThenBy(g => g.Supply.Unit, StringComparer.Ordinal)
            .Select(g => Propose(g.Supply, g.Area, g.Needs, [.. offersBySupply[g.Supply]], needed[g.Supply], lookup))
            .ToList();

        return new CommonsFindings(proposals, offers.Count + needs.Count, new Dictionary<string, double>
        {
            ["needs_unmet"] = unmet.Count,
            ["groups_proposed"] = proposals.Count,
        });
    }

    private static (string CategoryId, string Unit) Supply(Listing listing) =>
        (listing.CategoryId, listing.Unit.Trim().ToLowerInvariant());

    private static ProposalDraft Propose((string CategoryId, string Unit) supply, string? area, List<Listing> needs, List<Listing> offers, double neededEverywhere, CommonsLookup lookup)
    {
        var category = lookup.CategoryName(supply.CategoryId);
        var unit = needs[0].Unit;
        var members = needs.Select(n => n.MemberId).Distinct(StringComparer.Ordinal).ToList();
        var total = needs.Sum(n => n.Quantity);
        var offered = offers.Sum(o => o.Quantity);
        var place = area is null ? "an unknown area" : area;
        var supplyText = offers.Count == 0
            ? $"No open offer provides {category}."
            : $"Open offers of {category} total {CommonsText.Quantity(offered, unit)} against {CommonsText.Quantity(neededEverywhere, unit)} needed across the commons.";
        return new ProposalDraft(
            Type: "collective_sourcing",
            Title: $"Source {category} together in {place}",
            Explanation: $"{members.Count} households in {place} ({CommonsText.List([.. members.Select(lookup.MemberName)])}) need "
                + $"{CommonsText.Quantity(total, unit)} of {category} between them. {supplyText} Sourcing it together could meet all of them.",
            InputsUsed: [.. needs.Select(n => n.Id), .. offers.Select(o => o.Id)],
            Data: CommonsText.Data(new
            {
                category_id = supply.CategoryId,
                area,
                member_count = members.Count,
                member_ids = members,
                total_quantity = total,
                unit,
                need_ids = needs.Select(n => n.Id).ToArray(),
                offered_quantity = offered,
            }));
    }
}
