using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;

namespace AgentLedger.Tests.Commons;

/// <summary>The commons API over HTTP on a real SQLite file: create and list, paging, usage, refusals that write nothing.</summary>
public sealed class CommonsApiTests : IClassFixture<CommonsApiTests.Host>
{
    private readonly Host _host;

    public CommonsApiTests(Host host) => _host = host;

    /// <summary>One of each record, made through the API, for the tests to reference.</summary>
    public sealed class Host : IDisposable
    {
        public Host()
        {
            Factory = new LedgerFactory(Database);
            Client = Factory.CreateAuthorizedClient();
            Location = Create("/api/commons/locations", new { name = "Fixture Pantry", area = "Fixture Area", latitude = 51.05, longitude = 3.72 });
            Category = Create("/api/commons/categories", new { name = "Fixture produce", perishable = true });
            Member = Create("/api/commons/members", new { name = "Fixture Member", location_id = Location, skills = new[] { "gardening" } });
            Plan = Create("/api/commons/plans", new
            {
                title = "Fixture work day",
                location_id = Location,
                duration_hours = 3,
                window_start = Api.Iso(DateTimeOffset.UtcNow.AddDays(1)),
                window_end = Api.Iso(DateTimeOffset.UtcNow.AddDays(3)),
            });
            Item = Create("/api/commons/inventory", new { location_id = Location, category_id = Category, name = "Fixture rice", quantity = 10, unit = "kg", threshold = 2 });
            Listing = Create("/api/commons/listings", new { kind = "offer", member_id = Member, category_id = Category, title = "Fixture apples", location_id = Location });
        }

        public TestDatabase Database { get; } = new();
        public LedgerFactory Factory { get; }
        public HttpClient Client { get; }
        public string Location { get; }
        public string Category { get; }
        public string Member { get; }
        public string Plan { get; }
        public string Item { get; }
        public string Listing { get; }

        private string Create(string url, object body) => Client.PostExpectAsync(url, body, 201).GetAwaiter().GetResult()["id"]!.ToString();

        public void Dispose()
        {
            Factory.Dispose();
            Database.Dispose();
        }
    }

    [Fact]
    public async Task Locations_are_created_with_a_generated_id_and_listed()
    {
        var response = await _host.Client.PostJsonAsync("/api/commons/locations", new { name = "  Hillcrest Food Bank ", area = "Hillcrest", latitude = 51.04, longitude = 3.74 });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadNodeAsync();
        var id = (string)created["id"]!;
        Assert.True(Guid.TryParse(id, out var guid) && guid.Version == 7, id);
        Assert.Equal($"/api/commons/locations/{id}", response.Headers.Location?.ToString());
        Assert.Equal("Hillcrest Food Bank", (string?)created["name"]);
        Assert.Equal(51.04, (double)created["latitude"]!);
        Assert.False((bool)created["demo"]!);

        Assert.Equal("Hillcrest", (string?)(await _host.Client.GetNodeAsync($"/api/commons/locations/{id}"))["area"]);
        var list = await _host.Client.GetNodeAsync("/api/commons/locations");
        Assert.Contains(list["items"]!.AsArray(), l => (string?)l!["id"] == id);
        Assert.Null(list["next_cursor"]);
    }

    [Fact]
    public async Task Categories_are_created_with_a_parent_and_listed()
    {
        var created = await _host.Client.PostExpectAsync("/api/commons/categories", new { name = "Apples", parent_id = _host.Category, perishable = true }, 201);

        Assert.Equal(_host.Category, (string?)created["parent_id"]);
        Assert.True((bool)created["perishable"]!);
        var list = await _host.Client.GetNodeAsync("/api/commons/categories");
        Assert.Contains(list["items"]!.AsArray(), c => (string?)c!["id"] == (string?)created["id"]);
        Assert.Equal("Apples", (string?)(await _host.Client.GetNodeAsync($"/api/commons/categories/{created["id"]}"))["name"]);
    }

    [Fact]
    public async Task Members_are_created_with_normalised_skills_and_listed_by_location()
    {
        var created = await _host.Client.PostExpectAsync("/api/commons/members", new
        {
            name = "Ana García",
            location_id = _host.Location,
            skills = new[] { "Carpentry", " first aid ", "carpentry" },
            joined_at = "2026-01-15T10:00:00Z",
        }, 201);

        Assert.Equal(["carpentry", "first aid"], created["skills"]!.AsArray().Select(s => (string)s!).ToArray());
        Assert.Equal("2026-01-15T10:00:00Z", (string?)created["joined_at"]);
        var here = await _host.Client.GetNodeAsync($"/api/commons/members?location_id={_host.Location}");
        Assert.Contains(here["items"]!.AsArray(), m => (string?)m!["id"] == (string?)created["id"]);
        Assert.All(here["items"]!.AsArray(), m => Assert.Equal(_host.Location, (string?)m!["location_id"]));
        Assert.Equal("Ana García", (string?)(await _host.Client.GetNodeAsync($"/api/commons/members/{created["id"]}"))["name"]);
    }

    [Fact]
    public async Task Listings_are_created_open_filtered_and_change_status()
    {
        var created = await _host.Client.PostExpectAsync("/api/commons/listings", new
        {
            kind = "need",
            member_id = _host.Member,
            category_id = _host.Category,
            title = "Vegetables for a family of four",
            description = "Any kind",
            quantity = 4.5,
            unit = "kg",
            location_id = _host.Location,
            available_from = "2026-11-20T08:00:00Z",
            available_until = "2026-11-27T20:00:00Z",
        }, 201);
        var id = (string)created["id"]!;
        Assert.Equal("need", (string?)created["kind"]);
        Assert.Equal("open", (string?)created["status"]);
        Assert.Equal(4.5, (double)created["quantity"]!);
        Assert.Equal("2026-11-27T20:00:00Z", (string?)created["available_until"]);
        Assert.Null(created["expires_at"]);

        var needs = await _host.Client.GetNodeAsync($"/api/commons/listings?kind=need&status=open&category_id={_host.Category}");
        Assert.Contains(needs["items"]!.AsArray(), l => (string?)l!["id"] == id);
        Assert.All(needs["items"]!.AsArray(), l => Assert.Equal("need", (string?)l!["kind"]));

        var withdrawn = await _host.Client.PostExpectAsync($"/api/commons/listings/{id}/status", new { status = "withdrawn" }, 200);
        Assert.Equal("withdrawn", (string?)withdrawn["status"]);
        var open = await _host.Client.GetNodeAsync($"/api/commons/listings?status=open&category_id={_host.Category}");
        Assert.DoesNotContain(open["items"]!.AsArray(), l => (string?)l!["id"] == id);
        Assert.Equal("withdrawn", (string?)(await _host.Client.GetNodeAsync($"/api/commons/listings/{id}"))["status"]);
    }

    [Fact]
    public async Task Listings_page_newest_first_with_a_cursor()
    {
        var category = (string)(await _host.Client.PostExpectAsync("/api/commons/categories", new { name = "Paging" }, 201))["id"]!;
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var listing = new { kind = "offer", member_id = _host.Member, category_id = category, title = $"Offer {i}", location_id = _host.Location };
            var created = await _host.Client.PostExpectAsync("/api/commons/listings", listing, 201);
            ids.Add((string)created["id"]!);
            // The defaults of an offer sent with only what is required.
            Assert.Equal(1, (double)created["quantity"]!);
            Assert.Equal("item", (string?)created["unit"]);
            Assert.Null(created["description"]);
            Assert.Null(created["available_from"]);
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await _host.Client.GetNodeAsync($"/api/commons/listings?category_id={category}&limit=2" + (cursor is null ? "" : $"&cursor={cursor}"));
            Assert.True(page["items"]!.AsArray().Count <= 2);
            seen.AddRange(page["items"]!.AsArray().Select(l => (string)l!["id"]!));
            cursor = (string?)page["next_cursor"];
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Reverse(ids), seen);
    }

    [Fact]
    public async Task Inventory_usage_is_recorded_and_lowers_the_quantity_not_below_zero()
    {
        var item = (string)(await _host.Client.PostExpectAsync("/api/commons/inventory", new
        {
            location_id = _host.Location,
            category_id = _host.Category,
            name = "Pasta",
            quantity = 10,
            unit = "kg",
            threshold = 3,
        }, 201))["id"]!;

        var response = await _host.Client.PostJsonAsync($"/api/commons/inventory/{item}/usage", new { quantity = 2.5 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/commons/inventory/{item}/usage", response.Headers.Location?.ToString());
        var recorded = await response.ReadNodeAsync();
        Assert.Equal(7.5, (double)recorded["item"]!["quantity"]!);
        Assert.Equal(2.5, (double)recorded["usage"]!["quantity"]!);
        Assert.Equal(item, (string?)recorded["usage"]!["item_id"]);

        await _host.Client.PostExpectAsync($"/api/commons/inventory/{item}/usage", new { quantity = 1, occurred_at = Api.Iso(DateTimeOffset.UtcNow.AddDays(-2)) }, 201);
        Assert.Equal(6.5, (double)(await _host.Client.GetNodeAsync($"/api/commons/inventory/{item}"))["quantity"]!);
        await _host.Client.PostExpectAsync($"/api/commons/inventory/{item}/usage", new { quantity = 100 }, 201);
        Assert.Equal(0, (double)(await _host.Client.GetNodeAsync($"/api/commons/inventory/{item}"))["quantity"]!);

        var usage = await _host.Client.GetNodeAsync($"/api/commons/inventory/{item}/usage");
        Assert.Equal([100, 2.5, 1], usage["items"]!.AsArray().Select(u => (double)u!["quantity"]!).ToArray());
        Assert.Equal(3, _host.Database.Scalar($"SELECT COUNT(*) FROM commons_usage_events WHERE item_id = '{item}'"));
        Assert.Contains((await _host.Client.GetNodeAsync($"/api/commons/inventory?location_id={_host.Location}"))["items"]!.AsArray(), i => (string?)i!["id"] == item);
    }

    [Fact]
    public async Task Plans_and_commitments_are_created_and_listed()
    {
        var plan = await _host.Client.PostExpectAsync("/api/commons/plans", new
        {
            title = "Build raised beds",
            location_id = _host.Location,
            required_skills = new[] { "Carpentry", "gardening" },
            min_people = 4,
            duration_hours = 5,
            window_start = "2026-12-01T09:00:00Z",
            window_end = "2026-12-05T18:00:00Z",
        }, 201);
        var id = (string)plan["id"]!;
        Assert.Equal("open", (string?)plan["status"]);
        Assert.True((bool)plan["needs_work_party"]!);
        Assert.Equal(["carpentry", "gardening"], plan["required_skills"]!.AsArray().Select(s => (string)s!).ToArray());

        var response = await _host.Client.PostJsonAsync($"/api/commons/plans/{id}/commitments", new
        {
            member_id = _host.Member,
            available_from = "2026-12-02T09:00:00Z",
            available_until = "2026-12-02T15:00:00Z",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/commons/plans/{id}/commitments", response.Headers.Location?.ToString());
        var commitment = await response.ReadNodeAsync();
        Assert.Equal(id, (string?)commitment["plan_id"]);

        var commitments = await _host.Client.GetNodeAsync($"/api/commons/plans/{id}/commitments");
        Assert.Equal((string?)commitment["id"], (string?)commitments["items"]!.AsArray().Single()!["id"]);
        Assert.Contains((await _host.Client.GetNodeAsync("/api/commons/plans?status=open"))["items"]!.AsArray(), p => (string?)p!["id"] == id);
        Assert.Empty((await _host.Client.GetNodeAsync("/api/commons/plans?status=done"))["items"]!.AsArray());
        Assert.Equal("Build raised beds", (string?)(await _host.Client.GetNodeAsync($"/api/commons/plans/{id}"))["title"]);
    }

    public static TheoryData<string, string, string, string> BadBodies => new()
    {
        { "location without name", "/api/commons/locations", "{\"area\":\"A\"}", "name" },
        { "location with blank area", "/api/commons/locations", "{\"name\":\"N\",\"area\":\"  \"}", "area" },
        { "latitude without longitude", "/api/commons/locations", "{\"name\":\"N\",\"area\":\"A\",\"latitude\":51}", "longitude" },
        { "latitude out of range", "/api/commons/locations", "{\"name\":\"N\",\"area\":\"A\",\"latitude\":91,\"longitude\":3}", "latitude" },
        { "latitude as text", "/api/commons/locations", "{\"name\":\"N\",\"area\":\"A\",\"latitude\":\"51\",\"longitude\":3}", "latitude" },
        { "unknown field", "/api/commons/locations", "{\"name\":\"N\",\"area\":\"A\",\"areas\":\"B\"}", "areas" },
        { "malformed JSON", "/api/commons/locations", "{\"name\":\"N\"", "body" },
        { "category with unknown parent", "/api/commons/categories", "{\"name\":\"N\",\"parent_id\":\"00000000-0000-0000-0000-000000000000\"}", "parent_id" },
        { "category name too long", "/api/commons/categories", "{\"name\":\"" + new string('n', 201) + "\"}", "name" },
        { "member at unknown location", "/api/commons/members", "{\"name\":\"N\",\"location_id\":\"00000000-0000-0000-0000-000000000000\"}", "location_id" },
        { "member without location", "/api/commons/members", "{\"name\":\"N\"}", "location_id" },
        { "member with a blank skill", "/api/commons/members", "{\"name\":\"N\",\"location_id\":\"{location}\",\"skills\":[\"cooking\",\"\"]}", "skills[1]" },
        { "member skills not an array", "/api/commons/members", "{\"name\":\"N\",\"location_id\":\"{location}\",\"skills\":\"cooking\"}", "skills" },
        { "member joined in the future", "/api/commons/members", "{\"name\":\"N\",\"location_id\":\"{location}\",\"joined_at\":\"2999-01-01T00:00:00Z\"}", "joined_at" },
        { "listing of unknown kind", "/api/commons/listings", "{\"kind\":\"gift\",\"member_id\":\"{member}\",\"category_id\":\"{category}\",\"title\":\"T\",\"location_id\":\"{location}\"}", "kind" },
        { "listing without kind", "/api/commons/listings", "{\"member_id\":\"{member}\",\"category_id\":\"{category}\",\"title\":\"T\",\"location_id\":\"{location}\"}", "kind" },
        { "listing by unknown member", "/api/commons/listings", "{\"kind\":\"offer\",\"member_id\":\"nobody\",\"category_id\":\"{category}\",\"title\":\"T\",\"location_id\":\"{location}\"}", "member_id" },
        { "listing in unknown category", "/api/commons/listings", "{\"kind\":\"offer\",\"member_id\":\"{member}\",\"category_id\":\"nothing\",\"title\":\"T\",\"location_id\":\"{location}\"}", "category_id" },
        { "listing at unknown location", "/api/commons/listings", "{\"kind\":\"offer\",\"member_id\":\"{member}\",\"category_id\":\"{category}\",\"title\":\"T\",\"location_id\":\"nowhere\"}", "location_id" },
        { "listing with negative quantity", "/api/commons/listings", "{\"kind\":\"offer\",\"member_id\":\"{member}\",\"category_id\":\"{category}\",\"title\":\"T\",\"location_id\":\"{location}\",\"quantity\":-1}", "quantity" },
        { "listing with zero quantity", "/api/commons/listings", "{\"kind\":\"offer\",\"member_id\":\"{member}\",\"category_id\":\"{category}\",\"title\":\"T\",\"location_id\":\"{location}\",\"quantity\":0}", "quantity" },
        { "listing with infinite quantity", "/api/commons/listings", "{\"kind\":\"offer\",\"member_id\":\"{member}\",\"category_id\":\"{category}\",\"title\":\"T\",\"location_id\":\"{location}\",\"quantity\":1e999}", "quantity" },
        { "listing with NaN quantity", "/api/commons/listings", "{\"kind\":\"offer\",\"member_id\":\"{member}\",\"category_id\":\"{category}\",\"title\":\"T\",\"location_id\":\"{location}\",\"quantity\":NaN}", "quantity" },
        { "listing until before from", "/api/commons/listings", "{\"kind\":\"offer\",\"member_id\":\"{member}\",\"category_id\":\"{category}\",\"title\":\"T\",\"location_id\":\"{location}\",\"available_from\":\"2026-11-20T10:00:00Z\",\"available_until\":\"2026-11-19T10:00:00Z\"}", "available_until" },
        { "listing expiring before available", "/api/commons/listings", "{\"kind\":\"offer\",\"member_id\":\"{member}\",\"category_id\":\"{category}\",\"title\":\"T\",\"location_id\":\"{location}\",\"available_from\":\"2026-11-20T10:00:00Z\",\"expires_at\":\"2026-11-19T10:00:00Z\"}", "expires_at" },
        { "listing title with NUL", "/api/commons/listings", "{\"kind\":\"offer\",\"member_id\":\"{member}\",\"category_id\":\"{category}\",\"title\":\"a\\u0000b\",\"location_id\":\"{location}\"}", "title" },
        { "listing status is not settable on create", "/api/commons/listings", "{\"kind\":\"offer\",\"member_id\":\"{member}\",\"category_id\":\"{category}\",\"title\":\"T\",\"location_id\":\"{location}\",\"status\":\"fulfilled\"}", "status" },
        { "listing time without offset", "/api/commons/listings", "{\"kind\":\"offer\",\"member_id\":\"{member}\",\"category_id\":\"{category}\",\"title\":\"T\",\"location_id\":\"{location}\",\"available_from\":\"2026-11-20T10:00:00\"}", "available_from" },
        { "unknown listing status", "/api/commons/listings/{listing}/status", "{\"status\":\"sold\"}", "status" },
        { "missing listing status", "/api/commons/listings/{listing}/status", "{}", "status" },
        { "inventory without quantity", "/api/commons/inventory", "{\"location_id\":\"{location}\",\"category_id\":\"{category}\",\"name\":\"Rice\"}", "quantity" },
        { "inventory with negative quantity", "/api/commons/inventory", "{\"location_id\":\"{location}\",\"category_id\":\"{category}\",\"name\":\"Rice\",\"quantity\":-3}", "quantity" },
        { "inventory with negative threshold", "/api/commons/inventory", "{\"location_id\":\"{location}\",\"category_id\":\"{category}\",\"name\":\"Rice\",\"quantity\":3,\"threshold\":-1}", "threshold" },
        { "inventory in unknown category", "/api/commons/inventory", "{\"location_id\":\"{location}\",\"category_id\":\"nothing\",\"name\":\"Rice\",\"quantity\":3}", "category_id" },
        { "usage without quantity", "/api/commons/inventory/{item}/usage", "{}", "quantity" },
        { "negative usage", "/api/commons/inventory/{item}/usage", "{\"quantity\":-2}", "quantity" },
        { "zero usage", "/api/commons/inventory/{item}/usage", "{\"quantity\":0}", "quantity" },
        { "usage as text", "/api/commons/inventory/{item}/usage", "{\"quantity\":\"2\"}", "quantity" },
        { "usage in the future", "/api/commons/inventory/{item}/usage", "{\"quantity\":1,\"occurred_at\":\"2999-01-01T00:00:00Z\"}", "occurred_at" },
        { "plan window ends before it starts", "/api/commons/plans", "{\"title\":\"P\",\"location_id\":\"{location}\",\"duration_hours\":2,\"window_start\":\"2026-12-02T00:00:00Z\",\"window_end\":\"2026-12-01T00:00:00Z\"}", "window_end" },
        { "plan longer than its window", "/api/commons/plans", "{\"title\":\"P\",\"location_id\":\"{location}\",\"duration_hours\":30,\"window_start\":\"2026-12-01T00:00:00Z\",\"window_end\":\"2026-12-02T00:00:00Z\"}", "duration_hours" },
        { "plan without duration", "/api/commons/plans", "{\"title\":\"P\",\"location_id\":\"{location}\",\"window_start\":\"2026-12-01T00:00:00Z\",\"window_end\":\"2026-12-02T00:00:00Z\"}", "duration_hours" },
        { "plan for nobody", "/api/commons/plans", "{\"title\":\"P\",\"location_id\":\"{location}\",\"duration_hours\":2,\"min_people\":0,\"window_start\":\"2026-12-01T00:00:00Z\",\"window_end\":\"2026-12-02T00:00:00Z\"}", "min_people" },
        { "plan at unknown location", "/api/commons/plans", "{\"title\":\"P\",\"location_id\":\"nowhere\",\"duration_hours\":2,\"window_start\":\"2026-12-01T00:00:00Z\",\"window_end\":\"2026-12-02T00:00:00Z\"}", "location_id" },
        { "commitment of unknown member", "/api/commons/plans/{plan}/commitments", "{\"member_id\":\"nobody\",\"available_from\":\"2026-12-01T00:00:00Z\",\"available_until\":\"2026-12-01T04:00:00Z\"}", "member_id" },
        { "commitment ending before it starts", "/api/commons/plans/{plan}/commitments", "{\"member_id\":\"{member}\",\"available_from\":\"2026-12-01T04:00:00Z\",\"available_until\":\"2026-12-01T00:00:00Z\"}", "available_until" },
        { "commitment without member", "/api/commons/plans/{plan}/commitments", "{\"available_from\":\"2026-12-01T00:00:00Z\",\"available_until\":\"2026-12-01T04:00:00Z\"}", "member_id" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_body_is_a_400_problem_naming_the_field_and_writes_nothing(string why, string url, string body, string field)
    {
        var before = _host.Database.AllRowCounts();
        var quantity = _host.Database.Scalar($"SELECT CAST(quantity * 1000 AS INTEGER) FROM commons_inventory_items WHERE id = '{_host.Item}'");

        var response = await _host.Client.PostAsync(Fill(url), new StringContent(Fill(body), Encoding.UTF8, "application/json"));

        await response.AssertNamesFieldAsync(field, why);
        Assert.Equal(before, _host.Database.AllRowCounts());
        Assert.Equal(quantity, _host.Database.Scalar($"SELECT CAST(quantity * 1000 AS INTEGER) FROM commons_inventory_items WHERE id = '{_host.Item}'"));
        Assert.Equal("offer", (string?)(await _host.Client.GetNodeAsync($"/api/commons/listings/{_host.Listing}"))["kind"]);
        Assert.Equal("open", (string?)(await _host.Client.GetNodeAsync($"/api/commons/listings/{_host.Listing}"))["status"]);
    }

    [Fact]
    public async Task Every_problem_of_a_body_is_reported_at_once()
    {
        var response = await _host.Client.PostJsonAsync("/api/commons/listings", new { kind = "gift", title = "", quantity = -1, location_id = _host.Location });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "many problems");
        var errors = problem["errors"]!.AsObject().Select(p => p.Key).Order().ToArray();
        Assert.Equal(["category_id", "kind", "member_id", "quantity", "title"], errors);
    }

    [Fact]
    public async Task Unknown_references_are_each_named()
    {
        var response = await _host.Client.PostJsonAsync("/api/commons/listings", new
        {
            kind = "offer",
            member_id = "nobody",
            category_id = "nothing",
            title = "T",
            location_id = _host.Location,
        });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "unknown references");
        Assert.NotNull(problem["errors"]!["member_id"]);
        Assert.NotNull(problem["errors"]!["category_id"]);
        Assert.Null(problem["errors"]!["location_id"]);
    }

    public static TheoryData<string> Posts => new()
    {
        "/api/commons/locations",
        "/api/commons/categories",
        "/api/commons/members",
        "/api/commons/listings",
        "/api/commons/listings/{listing}/status",
        "/api/commons/inventory",
        "/api/commons/inventory/{item}/usage",
        "/api/commons/plans",
        "/api/commons/plans/{plan}/commitments",
    };

    [Theory]
    [MemberData(nameof(Posts))]
    public async Task Writes_without_the_key_are_401_and_write_nothing(string url)
    {
        var before = _host.Database.AllRowCounts();
        var anonymous = _host.Factory.CreateClient();

        var response = await anonymous.PostAsync(Fill(url), Api.Json(new { quantity = 1, status = "fulfilled" }));

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, url);
        Assert.Equal(before, _host.Database.AllRowCounts());
        Assert.Equal("open", (string?)(await anonymous.GetNodeAsync($"/api/commons/listings/{_host.Listing}"))["status"]);
    }

    [Theory]
    [InlineData("/api/commons/locations")]
    [InlineData("/api/commons/categories")]
    [InlineData("/api/commons/members")]
    [InlineData("/api/commons/listings")]
    [InlineData("/api/commons/inventory")]
    [InlineData("/api/commons/plans")]
    public async Task Reads_need_no_key(string url)
    {
        var list = await _host.Factory.CreateClient().GetNodeAsync(url);

        Assert.NotEmpty(list["items"]!.AsArray());
    }

    [Theory]
    [InlineData("/api/commons/locations/00000000-0000-0000-0000-000000000000")]
    [InlineData("/api/commons/categories/nothing")]
    [InlineData("/api/commons/members/nobody")]
    [InlineData("/api/commons/listings/nothing")]
    [InlineData("/api/commons/inventory/nothing")]
    [InlineData("/api/commons/inventory/nothing/usage")]
    [InlineData("/api/commons/plans/nothing")]
    [InlineData("/api/commons/plans/nothing/commitments")]
    public async Task Unknown_ids_in_routes_are_404_problems(string url)
    {
        var response = await _host.Client.GetAsync(url);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, url);
    }

    [Fact]
    public async Task Writes_to_unknown_ids_in_routes_are_404_and_write_nothing()
    {
        var before = _host.Database.AllRowCounts();
        var missing = Guid.NewGuid();

        await (await _host.Client.PostJsonAsync($"/api/commons/listings/{missing}/status", new { status = "fulfilled" }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "listing status");
        await (await _host.Client.PostJsonAsync($"/api/commons/inventory/{missing}/usage", new { quantity = 1 }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "usage");
        await (await _host.Client.PostJsonAsync($"/api/commons/plans/{missing}/commitments", new
        {
            member_id = _host.Member,
            available_from = "2026-12-01T00:00:00Z",
            available_until = "2026-12-01T04:00:00Z",
        })).AssertProblemAsync(HttpStatusCode.NotFound, "commitment");

        Assert.Equal(before, _host.Database.AllRowCounts());
    }

    [Theory]
    [InlineData("/api/commons/listings?kind=gift")]
    [InlineData("/api/commons/listings?status=sold")]
    [InlineData("/api/commons/listings?limit=0")]
    [InlineData("/api/commons/listings?limit=100000")]
    [InlineData("/api/commons/listings?cursor=not-a-cursor")]
    [InlineData("/api/commons/plans?status=someday")]
    [InlineData("/api/commons/inventory/{item}/usage?limit=0")]
    public async Task Bad_query_is_a_400_problem(string url)
    {
        var response = await _host.Client.GetAsync(Fill(url));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, url);
    }

    [Fact]
    public async Task The_commons_routes_are_in_the_OpenAPI_document()
    {
        var document = await _host.Factory.CreateClient().GetNodeAsync("/openapi/v1.json");
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet();

        Assert.Contains("/api/commons/listings", paths);
        Assert.Contains("/api/commons/listings/{id}/status", paths);
        Assert.Contains("/api/commons/inventory/{id}/usage", paths);
        Assert.Contains("/api/commons/plans/{id}/commitments", paths);
    }

    private string Fill(string text) => text
        .Replace("{location}", _host.Location, StringComparison.Ordinal)
        .Replace("{category}", _host.Category, StringComparison.Ordinal)
        .Replace("{member}", _host.Member, StringComparison.Ordinal)
        .Replace("{plan}", _host.Plan, StringComparison.Ordinal)
        .Replace("{item}", _host.Item, StringComparison.Ordinal)
        .Replace("{listing}", _host.Listing, StringComparison.Ordinal);
}
