using System.Text.Json;
using AgentLedger.Commons.Model;
using AgentLedger.Core.Proposals;

namespace AgentLedger.Commons.Agents;

/// <summary>Routes open needs to the nearest location whose stock can spare enough.</summary>
public sealed class CommonsRouterAgent(ICommonsReader reader) : CommonsAgent<RouterConfig>(reader)
{
    public override string Name => "commons-router";

    public override string DisplayName => "Commons router";

    public override string Description => "Proposes filling open needs from the nearest shared inventory that holds enough above its threshold.";

    protected override int IntervalSeconds => 1800;

    protected override RouterConfig DefaultConfig => RouterConfig.Default;

    // No keys of its own: the reader has already refused a config that is not an object.
    protected override RouterConfig ReadConfig(ConfigReader config) => RouterConfig.Default;

    protected override CommonsFindings Evaluate(CommonsSnapshot snapshot, DateTimeOffset now, RouterConfig config) =>
        CommonsRouting.Evaluate(snapshot);
}

/// <summary>No keys yet: only surplus above each item's own threshold is ever allocated.</summary>
public sealed record RouterConfig
{
    public static RouterConfig Default { get; } = new();
}

public static class CommonsRouting
{
    public static CommonsFindings Evaluate(CommonsSnapshot snapshot)
    {
        var lookup = new CommonsLookup(snapshot);
        // Oldest needs first, so they get the first claim on a surplus.
        var needs = snapshot.Listings
            .Where(l => l is { Kind: ListingKind.Need, Status: ListingStatus.Open })
            .OrderBy(n => n.CreatedAt)
            .ThenBy(n => n.Id, StringComparer.Ordinal)
            .ToList();
        // One run must not promise the same surplus to two needs.
        var surplus = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var item in snapshot.Inventory)
        {
            surplus.TryAdd(item.Id, item.Quantity - item.Threshold);
        }

        var proposals = new List<ProposalDraft>();
        foreach (var need in needs.Where(n => n.Quantity > 0))
        {
            var route = snapshot.Inventory
                .Where(i => string.Equals(i.CategoryId, need.CategoryId, StringComparison.Ordinal)
                    && CommonsText.SameUnit(i.Unit, need.Unit)
                    && surplus[i.Id] >= need.Quantity)
                .Select(i => (Item: i, DistanceKm: lookup.DistanceKm(i.LocationId, need.LocationId)))
                .OrderBy(r => r.DistanceKm is null)
                .ThenBy(r => r.DistanceKm ?? 0)
                .ThenBy(r => r.Item.Id, StringComparer.Ordinal)
                .FirstOrDefault();
            if (route.Item is null)
            {
                continue;
            }
            proposals.Add(Propose(need, route.Item, surplus[route.Item.Id], route.DistanceKm, lookup));
            surplus[route.Item.Id] -= need.Quantity;
        }

        return new CommonsFindings(proposals, needs.Count + snapshot.Inventory.Count, new Dictionary<string, double>
        {
            ["needs_checked"] = needs.Count,
            ["routes_found"] = proposals.Count,
        });
    }

    private static ProposalDraft Propose(Listing need, InventoryItem item, double surplus, double? distanceKm, CommonsLookup lookup)
    {
        var place = lookup.LocationName(item.LocationId);
        var needer = lookup.MemberName(need.MemberId);
        var where = distanceKm switch
        {
            0 => "at the same place",
            { } km => $"{CommonsText.Km(km)} away at {lookup.LocationName(need.LocationId)}",
            null => $"at {lookup.LocationName(need.LocationId)} (distance unknown)",
        };
        return new ProposalDraft(
            Type: "inventory_allocation",
            Title: $"{item.Name} from {place} for {needer}",
            Explanation: $"{place} holds {CommonsText.Quantity(item.Quantity, item.Unit)} of {item.Name}, {CommonsText.Quantity(surplus, item.Unit)} "
                + $"above its threshold of {CommonsText.Quantity(item.Threshold, item.Unit)}. That covers {needer}'s need for "
                + $"{CommonsText.Quantity(need.Quantity, need.Unit)} (\"{need.Title}\") {where}.",
            InputsUsed: [need.Id, item.Id],
            Data: CommonsText.Data(new
            {
                need_id = need.Id,
                item_id = item.Id,
                from_location_id = item.LocationId,
                to_location_id = need.LocationId,
                quantity = need.Quantity,
                unit = need.Unit,
                surplus_before = surplus,
                distance_km = CommonsText.Round(distanceKm),
            }));
    }
}
