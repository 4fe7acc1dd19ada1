using AgentLedger.Commons.Model;
using AgentLedger.Core.Common;

namespace AgentLedger.Commons.Demo;

/// <summary>
/// A small, believable neighbourhood commons for demos: three areas, their pantries and
/// workshops, members with skills, offers and needs that pair up, stock that is running low,
/// and work days that need people. Built around "now" so every demo starts with live data: the
/// matchmaker finds pairs, the food agent finds offers about to spoil (and a couple already
/// spoilt), the inventory agent finds items below threshold or running out within a week, and the
/// work-party agent finds plans with overlapping commitments. A fixed seed makes it repeatable,
/// ids included.
/// </summary>
public static class DemoCommunity
{
    public const int Seed = 20261124;

    public static CommonsSnapshot Build(DateTimeOffset now) => new Builder(LedgerTime.Normalize(now)).Build();

    private static readonly (string Area, double Latitude, double Longitude, string[] Places)[] Areas =
    [
        ("Riverside", 51.0605, 3.7102, ["Riverside Community Garden", "Riverside Library Pantry"]),
        ("Old Town", 51.0532, 3.7248, ["Old Town Tool Library", "St. Anne's Community Kitchen"]),
        ("Hillcrest", 51.0415, 3.7391, ["Hillcrest Food Bank", "Hillcrest Repair Café"]),
    ];

    private static readonly (string Name, bool Perishable)[] CategoryNames =
    [
        ("Produce", true), ("Bread", true), ("Dairy", true), ("Cooked meals", true),
        ("Pantry staples", false), ("Hygiene supplies", false), ("Tools", false), ("Bikes", false),
        ("Clothing", false), ("Furniture", false), ("Childcare", false), ("Tutoring", false), ("Repairs", false),
    ];

    private static readonly string[] Skills =
    [
        "carpentry", "gardening", "cooking", "plumbing", "teaching", "first aid",
        "electrical", "bike repair", "sewing", "childcare", "driving", "painting",
    ];

    private static readonly string[] MemberNames =
    [
        "Ana García", "Ben Okafor", "Chloé Martin", "Dev Patel", "Elif Yılmaz", "Finn Murphy", "Grace Mensah", "Hiro Tanaka",
        "Ines Costa", "Jonas Peeters", "Kemi Adeyemi", "Lars Nilsson", "Maya Cohen", "Nadia Haddad", "Omar Farouk", "Priya Sharma",
        "Quinn O'Brien", "Rosa Jansen", "Sam Nguyen", "Tomás Silva", "Uma Reddy", "Victor Dubois", "Wen Li", "Ximena Ruiz",
        "Yusuf Demir", "Zoë Claes", "Amira Benali", "Bram De Smet", "Carla Rossi", "Daan Vermeulen", "Esther Kowalski", "Farid Rahimi",
        "Gita Bose", "Hannah Weber", "Ivan Petrov", "Julia Novak", "Karim Saleh", "Lotte Maes", "Marek Zielinski", "Nora Lindqvist",
    ];

    /// <summary>Offer and need in the same category and area, with overlapping windows: what the matchmaker should pair.</summary>
    private static readonly (string Category, string Offer, string Need, double Quantity, string Unit, double? ExpiresInHours)[] Pairs =
    [
        ("Produce", "Courgettes from the allotment", "Fresh vegetables for a family of four", 4, "kg", 40),
        ("Produce", "Windfall apples", "Apples for the school snack box", 6, "kg", 150),
        ("Bread", "Day-old sourdough loaves", "Bread for the Saturday breakfast club", 5, "loaf", 20),
        ("Dairy", "Surplus yoghurt pots", "Milk and yoghurt for toddlers", 8, "pot", 100),
        ("Cooked meals", "Vegetable lasagne portions", "Hot meals for a neighbour recovering from surgery", 6, "portion", 6),
        ("Tools", "Cordless drill to lend", "Drill to put up shelves", 1, "item", null),
        ("Tools", "Extension ladder (4 m) to lend", "Ladder to clear the gutters", 1, "item", null),
        ("Bikes", "Child's bike, 20 inch", "Bike for an 8-year-old", 1, "item", null),
        ("Bikes", "Spare adult bike, recently serviced", "Bike to get to work", 1, "item", null),
        ("Clothing", "Winter coats, children's sizes", "Warm coat for a 6-year-old", 3, "item", null),
        ("Clothing", "Work boots, size 43", "Sturdy boots for garden volunteering", 1, "pair", null),
        ("Furniture", "Single bed frame", "Bed for a newly arrived family member", 1, "item", null),
        ("Furniture", "Kitchen table with four chairs", "Table for a family moving in", 1, "set", null),
        ("Childcare", "Babysitting on weekday evenings", "Childcare on Tuesday evenings", 3, "hour", null),
        ("Tutoring", "Maths tutoring for secondary school", "Help with maths before exams", 2, "hour", null),
        ("Tutoring", "English conversation practice", "Someone to practise English with", 2, "hour", null),
        ("Repairs", "Can fix leaking taps", "Dripping kitchen tap", 1, "job", null),
        ("Repairs", "Mending and alterations", "Trousers need hemming", 1, "job", null),
    ];

    /// <summary>Listings without a partner; negative expiry = already spoilt, and a few are no longer open.</summary>
    private static readonly (ListingKind Kind, string Category, string Title, double Quantity, string Unit, double? ExpiresInHours, ListingStatus Status)[] Singles =
    [
        (ListingKind.Offer, "Cooked meals", "Leftover sandwiches from a party", 12, "portion", -5, ListingStatus.Open),
        (ListingKind.Offer, "Produce", "Very ripe bananas", 3, "kg", -18, ListingStatus.Open),
        (ListingKind.Offer, "Cooked meals", "Homemade vegetable soup", 4, "litre", 30, ListingStatus.Open),
        (ListingKind.Offer, "Bread", "Rye bread from the bakery's last batch", 3, "loaf", 44, ListingStatus.Open),
        (ListingKind.Offer, "Tools", "Hedge trimmer to lend", 1, "item", null, ListingStatus.Open),
        (ListingKind.Offer, "Furniture", "Bookshelf, pine", 1, "item", null, ListingStatus.Fulfilled),
        (ListingKind.Offer, "Bikes", "Bike pump and tyre levers", 1, "set", null, ListingStatus.Open),
        (ListingKind.Offer, "Tutoring", "Beginner guitar lessons", 1, "hour", null, ListingStatus.Withdrawn),
        (ListingKind.Need, "Repairs", "Help moving a sofa upstairs", 1, "job", null, ListingStatus.Open),
        (ListingKind.Need, "Tools", "Lawn mower for an afternoon", 1, "item", null, ListingStatus.Fulfilled),
        (ListingKind.Need, "Repairs", "Wobbly chair needs gluing", 1, "job", null, ListingStatus.Open),
        (ListingKind.Need, "Clothing", "Baby clothes, 6 to 12 months", 10, "item", null, ListingStatus.Open),
        (ListingKind.Need, "Furniture", "Cot for a newborn", 1, "item", null, ListingStatus.Open),
        (ListingKind.Need, "Childcare", "Walk two children to school", 5, "hour", null, ListingStatus.Open),
    ];

    /// <summary>Stock at the three pantries: quantity, threshold and the daily usage that the 14 days of events follow.</summary>
    private static readonly (string Place, string Category, string Name, double Quantity, string Unit, double Threshold, double DailyUse)[] Stock =
    [
        // Below threshold already.
        ("Riverside Library Pantry", "Hygiene supplies", "Nappies, size 4", 3, "pack", 10, 1.2),
        ("St. Anne's Community Kitchen", "Pantry staples", "Cooking oil", 2, "litre", 6, 0.8),
        ("Hillcrest Food Bank", "Dairy", "UHT milk", 4, "litre", 12, 2.5),
        ("Hillcrest Food Bank", "Pantry staples", "Tinned beans", 8, "tin", 20, 3),
        // Above threshold, but at their usage they run out within a week.
        ("Riverside Library Pantry", "Pantry staples", "Rice", 14, "kg", 5, 3),
        ("Riverside Library Pantry", "Hygiene supplies", "Toothpaste", 8, "tube", 3, 1.5),
        ("St. Anne's Community Kitchen", "Pantry staples", "Red lentils", 8, "kg", 4, 2),
        ("Hillcrest Food Bank", "Pantry staples", "Breakfast cereal", 12, "box", 4, 2.5),
        // Comfortable.
        ("Riverside Library Pantry", "Pantry staples", "Pasta", 40, "kg", 10, 1.5),
        ("Riverside Library Pantry", "Pantry staples", "Tinned tomatoes", 60, "tin", 15, 2),
        ("St. Anne's Community Kitchen", "Produce", "Onions", 25, "kg", 5, 1.2),
        ("St. Anne's Community Kitchen", "Pantry staples", "Flour", 30, "kg", 8, 1),
        ("St. Anne's Community Kitchen", "Hygiene supplies", "Washing-up liquid", 20, "bottle", 5, 0.4),
        ("Hillcrest Food Bank", "Hygiene supplies", "Sanitary pads", 30, "pack", 8, 0.8),
        ("Hillcrest Food Bank", "Hygiene supplies", "Soap bars", 40, "bar", 10, 0.7),
    ];

    private static readonly (string Title, string Place, string[] Skills, int MinPeople, double Hours, int StartsInDays, int WindowDays, PlanStatus Status)[] PlanSpecs =
    [
        ("Build raised beds at the community garden", "Riverside Community Garden", ["carpentry", "gardening"], 4, 5, 2, 5, PlanStatus.Open),
        ("Repair café: bikes and small appliances", "Hillcrest Repair Café", ["bike repair", "electrical"], 3, 4, 4, 6, PlanStatus.Open),
        ("Fix the leaking pipes in the kitchen", "St. Anne's Community Kitchen", ["plumbing"], 2, 3, 1, 4, PlanStatus.Open),
        ("Batch cooking for the winter meal drive", "St. Anne's Community Kitchen", ["cooking"], 5, 6, 6, 7, PlanStatus.Open),
        ("Homework club and first-aid corner", "Riverside Library Pantry", ["teaching", "first aid"], 3, 2.5, 3, 9, PlanStatus.Open),
        ("Paint the tool library", "Old Town Tool Library", ["painting"], 3, 4, -20, 5, PlanStatus.Done),
    ];

    private sealed class Builder(DateTimeOffset now)
    {
        private readonly Random _random = new(Seed);
        private readonly List<Location> _locations = [];
        private readonly List<ResourceCategory> _categories = [];
        private readonly List<Member> _members = [];
        private readonly List<Listing> _listings = [];
        private readonly List<InventoryItem> _inventory = [];
        private readonly List<UsageEvent> _usage = [];
        private readonly List<WorkPlan> _plans = [];
        private readonly List<Commitment> _commitments = [];

        public CommonsSnapshot Build()
        {
            AddLocations();
            AddCategories();
            AddMembers();
            AddListings();
            AddInventory();
            AddPlans();
            return new CommonsSnapshot(_locations, _categories, _members, _listings, _inventory, _usage, _plans, _commitments);
        }

        private void AddLocations()
        {
            foreach (var (area, latitude, longitude, places) in Areas)
            {
                for (var i = 0; i < places.Length; i++)
                {
                    // A few hundred metres apart within an area, a kilometre or two between areas.
                    _locations.Add(new Location(NewId(), places[i], area,
                        Math.Round(latitude + (i - 0.5) * 0.004, 5), Math.Round(longitude + (i - 0.5) * 0.005, 5), Demo: true));
                }
            }
        }

        private void AddCategories()
        {
            foreach (var (name, perishable) in CategoryNames)
            {
                _categories.Add(new ResourceCategory(NewId(), name, null, perishable, Demo: true));
            }
        }

        private void AddMembers()
        {
            for (var i = 0; i < MemberNames.Length; i++)
            {
                // Round-robin over locations keeps every area populated; the skills are drawn.
                var location = _locations[i % _locations.Count];
                var skills = Skills.OrderBy(_ => _random.Next()).Take(1 + _random.Next(3)).ToArray();
                var joined = now - TimeSpan.FromDays(20 + _random.Next(880)) - TimeSpan.FromHours(_random.Next(24));
                _members.Add(new Member(NewId(), MemberNames[i], location.Id, skills, joined, Demo: true));
            }
        }

        private void AddListings()
        {
            for (var i = 0; i < Pairs.Length; i++)
            {
                var (category, offer, need, quantity, unit, expiresIn) = Pairs[i];
                var area = Areas[i % Areas.Length].Area;
                var (giver, taker) = TwoMembersIn(area);
                var expiresAt = expiresIn is { } h ? now + TimeSpan.FromHours(h) : (DateTimeOffset?)null;
                var offerFrom = now - Hours(2, 48);
                var offerUntil = expiresAt ?? offerFrom + TimeSpan.FromDays(5 + _random.Next(8));
                // A need opens before the offer closes and stays open for days: the windows overlap.
                var needFrom = expiresAt is null ? now + Hours(-24, 48) : now - Hours(0, 24);
                var needUntil = needFrom + TimeSpan.FromDays(2 + _random.Next(6));
                AddListing(ListingKind.Offer, giver, category, offer, quantity, unit, offerFrom, offerUntil, expiresAt, ListingStatus.Open);
                AddListing(ListingKind.Need, taker, category, need, quantity, unit, needFrom, needUntil, null, ListingStatus.Open);
            }
            foreach (var (kind, category, title, quantity, unit, expiresIn, status) in Singles)
            {
                var member = _members[_random.Next(_members.Count)];
                var expiresAt = expiresIn is { } h ? now + TimeSpan.FromHours(h) : (DateTimeOffset?)null;
                var from = now - Hours(6, 72);
                if (expiresAt is { } spoils && spoils - TimeSpan.FromHours(12) < from)
                {
                    from = spoils - Hours(12, 36);
                }
                var until = expiresAt ?? from + TimeSpan.FromDays(4 + _random.Next(10));
                AddListing(kind, member, category, title, quantity, unit, from, until, expiresAt, status);
            }
        }

        private void AddListing(
            ListingKind kind, Member member, string category, string title, double quantity, string unit,
            DateTimeOffset from, DateTimeOffset until, DateTimeOffset? expiresAt, ListingStatus status)
        {
            // Posted a little before it became available (and before it spoilt), never in the future.
            var created = Earliest(Earliest(from, now), expiresAt ?? from) - Hours(1, 30);
            _listings.Add(new Listing(
                NewId(), kind, member.Id, CategoryId(category), title, null, quantity, unit, member.LocationId,
                from, until, expiresAt, status, created, Demo: true));
        }

        private void AddInventory()
        {
            foreach (var (place, category, name, quantity, unit, threshold, dailyUse) in Stock)
            {
                var id = NewId();
                var lastUsed = now - TimeSpan.FromDays(15);
                var previous = 15;
                for (var daysAgo = 14; daysAgo >= 1; daysAgo--)
                {
                    if (_random.NextDouble() < 0.25)
                    {
                        continue; // not every day: the pantry is closed some days
                    }
                    // What was taken since the previous visit, at roughly the item's daily rate.
                    var taken = Math.Max(1, Math.Round(dailyUse * (previous - daysAgo) * (0.6 + 0.8 * _random.NextDouble())));
                    lastUsed = LedgerTime.FloorHour(now - TimeSpan.FromDays(daysAgo)) + TimeSpan.FromMinutes(30 + _random.Next(600));
                    _usage.Add(new UsageEvent(NewId(), id, taken, lastUsed, Demo: true));
                    previous = daysAgo;
                }
                _inventory.Add(new InventoryItem(id, LocationId(place), CategoryId(category), name, quantity, unit, threshold, lastUsed, Demo: true));
            }
        }

        private void AddPlans()
        {
            var today = LedgerTime.FloorDay(now);
            foreach (var (title, place, skills, minPeople, hours, startsInDays, windowDays, status) in PlanSpecs)
            {
                var windowStart = today + TimeSpan.FromDays(startsInDays) + TimeSpan.FromHours(9);
                var windowEnd = windowStart + TimeSpan.FromDays(windowDays) + TimeSpan.FromHours(9);
                var plan = new WorkPlan(NewId(), title, LocationId(place), skills, minPeople, hours, windowStart, windowEnd, NeedsWorkParty: true, status, Demo: true);
                _plans.Add(plan);
                AddCommitments(plan);
            }
        }

        /// <summary>
        /// Most volunteers gather around one day of the window, so their ranges overlap; one or
        /// two pick another day. Volunteers with a required skill come first.
        /// </summary>
        private void AddCommitments(WorkPlan plan)
        {
            var count = Math.Max(2, plan.MinPeople - 1 + _random.Next(3));
            var skilled = _members.Where(m => m.Skills.Intersect(plan.RequiredSkills).Any()).OrderBy(_ => _random.Next()).ToList();
            var others = _members.Except(skilled).OrderBy(_ => _random.Next()).ToList();
            var days = (int)Math.Max(1, (plan.WindowEnd - plan.WindowStart).TotalDays);
            var gatheringDay = plan.WindowStart + TimeSpan.FromDays(_random.Next(days));
            var length = TimeSpan.FromHours(plan.DurationHours);
            foreach (var member in skilled.Concat(others).Take(count))
            {
                var day = _random.NextDouble() < 0.75 ? gatheringDay : plan.WindowStart + TimeSpan.FromDays(_random.Next(days));
                var from = day + TimeSpan.FromHours(_random.Next(4));
                var until = from + length + TimeSpan.FromHours(_random.Next(4));
                _commitments.Add(new Commitment(NewId(), plan.Id, member.Id, from, Earliest(until, plan.WindowEnd), Demo: true));
            }
        }

        private (Member Giver, Member Taker) TwoMembersIn(string area)
        {
            var locations = _locations.Where(l => l.Area == area).Select(l => l.Id).ToHashSet();
            var here = _members.Where(m => locations.Contains(m.LocationId)).ToList();
            var giver = here[_random.Next(here.Count)];
            var others = here.Where(m => m != giver).ToList();
            return (giver, others[_random.Next(others.Count)]);
        }

        private TimeSpan Hours(int min, int max) => TimeSpan.FromHours(min + _random.Next(max - min + 1));

        private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

        private string CategoryId(string name) => _categories.Single(c => c.Name == name).Id;

        private string LocationId(string name) => _locations.Single(l => l.Name == name).Id;

        /// <summary>A version-4 UUID from the seeded generator, so a demo database is the same every time.</summary>
        private string NewId()
        {
            Span<byte> bytes = stackalloc byte[16];
            _random.NextBytes(bytes);
            bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
            bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
            return new Guid(bytes).ToString();
        }
    }
}
