using System.Text.Json;
using AgentLedger.Commons.Demo;
using AgentLedger.Commons.Model;

namespace AgentLedger.Tests.Commons;

/// <summary>The demo community gives every built-in agent something to find, the same way every time.</summary>
[Trait("Database", "none")]   // no database: run once, not once per engine (scripts/test.sh)
public sealed class DemoCommunityTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 30, 0, TimeSpan.Zero);
    private static readonly CommonsSnapshot Demo = DemoCommunity.Build(Now);

    [Fact]
    public void It_is_deterministic()
    {
        Assert.Equal(JsonSerializer.Serialize(Demo), JsonSerializer.Serialize(DemoCommunity.Build(Now)));
        Assert.Equal(
            Demo.Listings.Select(l => l.AvailableFrom!.Value - Now),
            DemoCommunity.Build(Now.AddDays(3)).Listings.Select(l => l.AvailableFrom!.Value - Now.AddDays(3)));
    }

    [Fact]
    public void Every_record_is_demo_and_every_reference_resolves()
    {
        var locations = Demo.Locations.Select(l => l.Id).ToHashSet();
        var categories = Demo.Categories.Select(c => c.Id).ToHashSet();
        var members = Demo.Members.Select(m => m.Id).ToHashSet();
        var items = Demo.Inventory.Select(i => i.Id).ToHashSet();
        var plans = Demo.Plans.Select(p => p.Id).ToHashSet();

        Assert.All(Demo.Locations, l => Assert.True(l.Demo && l.Latitude is not null && l.Longitude is not null));
        Assert.All(Demo.Categories, c => Assert.True(c.Demo));
        Assert.All(Demo.Members, m => Assert.True(m.Demo && locations.Contains(m.LocationId) && m.Skills.Count > 0 && m.JoinedAt < Now));
        Assert.All(Demo.Listings, l => Assert.True(l.Demo && members.Contains(l.MemberId) && categories.Contains(l.CategoryId) && locations.Contains(l.LocationId)));
        Assert.All(Demo.Inventory, i => Assert.True(i.Demo && locations.Contains(i.LocationId) && categories.Contains(i.CategoryId)));
        Assert.All(Demo.UsageEvents, u => Assert.True(u.Demo && items.Contains(u.ItemId) && u.Quantity > 0));
        Assert.All(Demo.Plans, p => Assert.True(p.Demo && locations.Contains(p.LocationId)));
        Assert.All(Demo.Commitments, c => Assert.True(c.Demo && plans.Contains(c.PlanId) && members.Contains(c.MemberId)));
        var ids = Demo.Locations.Select(x => x.Id).Concat(categories).Concat(members).Concat(Demo.Listings.Select(l => l.Id))
            .Concat(items).Concat(Demo.UsageEvents.Select(u => u.Id)).Concat(plans).Concat(Demo.Commitments.Select(c => c.Id)).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.True(Guid.TryParse(id, out _), id));
    }

    [Fact]
    public void Listings_obey_the_APIs_own_rules()
    {
        Assert.All(Demo.Listings, l =>
        {
            Assert.True(l.Quantity > 0);
            Assert.True(l.AvailableUntil >= l.AvailableFrom, l.Title);
            Assert.True(l.ExpiresAt is null || l.ExpiresAt >= l.AvailableFrom, l.Title);
            Assert.True(l.CreatedAt <= Now, l.Title);
        });
    }

    [Fact]
    public void The_matchmaker_finds_offer_and_need_pairs_in_the_same_category_and_area_with_overlapping_windows()
    {
        var area = Demo.Locations.ToDictionary(l => l.Id, l => l.Area);
        var open = Demo.Listings.Where(l => l.Status == ListingStatus.Open).ToList();
        var pairs = open.Where(o => o.Kind == ListingKind.Offer)
            .SelectMany(o => open.Where(n => n.Kind == ListingKind.Need), (o, n) => (Offer: o, Need: n))
            .Where(p => p.Offer.CategoryId == p.Need.CategoryId
                && area[p.Offer.LocationId] == area[p.Need.LocationId]
                && p.Offer.MemberId != p.Need.MemberId
                && p.Offer.AvailableFrom < p.Need.AvailableUntil && p.Need.AvailableFrom < p.Offer.AvailableUntil)
            .ToList();

        Assert.True(pairs.Count >= 15, $"{pairs.Count} pairs");
        Assert.True(pairs.Select(p => p.Offer.CategoryId).Distinct().Count() >= 8);
    }

    [Fact]
    public void Perishable_offers_spoil_at_spread_out_times_and_a_couple_already_have()
    {
        var perishable = Demo.Categories.Where(c => c.Perishable).Select(c => c.Id).ToHashSet();
        var hours = Demo.Listings
            .Where(l => l.Kind == ListingKind.Offer && l.Status == ListingStatus.Open && perishable.Contains(l.CategoryId))
            .Select(l => (l.ExpiresAt!.Value - Now).TotalHours)
            .ToList();

        Assert.Superset(new HashSet<double> { 6, 20, 40, 100, 150 }, hours.ToHashSet());
        Assert.Equal(2, hours.Count(h => h < 0));
        Assert.Equal(["Bread", "Cooked meals", "Dairy", "Produce"], Demo.Categories.Where(c => c.Perishable).Select(c => c.Name).Order());
    }

    [Fact]
    public void The_inventory_agent_finds_items_below_threshold_and_items_running_out_within_a_week()
    {
        var dailyUse = Demo.UsageEvents.GroupBy(u => u.ItemId).ToDictionary(g => g.Key, g => g.Sum(u => u.Quantity) / 14);
        var below = Demo.Inventory.Where(i => i.Quantity < i.Threshold).ToList();
        var runningOut = Demo.Inventory.Where(i => i.Quantity >= i.Threshold && i.Quantity / dailyUse[i.Id] < 7).ToList();

        Assert.Equal(4, below.Count);
        Assert.Equal(4, runningOut.Count);
        Assert.Equal(3, Demo.Inventory.Select(i => i.LocationId).Distinct().Count());
        Assert.All(Demo.UsageEvents, u => Assert.InRange(u.OccurredAt, Now.AddDays(-14), Now));
        Assert.All(Demo.Inventory, i => Assert.True(dailyUse.ContainsKey(i.Id), i.Name));
    }

    [Fact]
    public void Open_plans_need_work_parties_in_the_next_two_weeks_with_overlapping_commitments()
    {
        var open = Demo.Plans.Where(p => p.Status == PlanStatus.Open).ToList();

        Assert.Equal(5, open.Count);
        Assert.All(open, p =>
        {
            Assert.True(p.NeedsWorkParty && p.RequiredSkills.Count > 0 && p.MinPeople >= 2 && p.DurationHours > 0, p.Title);
            Assert.InRange(p.WindowStart, Now, Now.AddDays(14));
            Assert.InRange(p.WindowEnd, p.WindowStart.AddHours(p.DurationHours), Now.AddDays(14));
            var commitments = Demo.Commitments.Where(c => c.PlanId == p.Id).ToList();
            Assert.True(commitments.Count >= 2, p.Title);
            Assert.All(commitments, c => Assert.True(c.AvailableFrom >= p.WindowStart && c.AvailableUntil <= p.WindowEnd && c.AvailableUntil > c.AvailableFrom, p.Title));
        });
        var overlapping = open.Count(p =>
        {
            var commitments = Demo.Commitments.Where(c => c.PlanId == p.Id).ToList();
            return commitments.Any(a => commitments.Any(b => a != b && a.AvailableFrom < b.AvailableUntil && b.AvailableFrom < a.AvailableUntil));
        });
        Assert.True(overlapping >= 4, $"{overlapping} plans with overlapping commitments");
        var skills = Demo.Members.SelectMany(m => m.Skills).ToHashSet();
        Assert.All(open.SelectMany(p => p.RequiredSkills), s => Assert.Contains(s, skills));
    }
}
