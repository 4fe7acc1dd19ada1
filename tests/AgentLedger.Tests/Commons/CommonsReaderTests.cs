using System.Net;
using AgentLedger.Commons.Model;
using AgentLedger.Commons.Storage;
using AgentLedger.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AgentLedger.Tests.Commons;

/// <summary>What the agents read: open listings, usage of the last 30 days by the injected clock, open plans and their commitments.</summary>
public sealed class CommonsReaderTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly TestDatabase _db = new();
    private readonly LedgerFactory _host;
    private readonly HttpClient _client;

    public CommonsReaderTests()
    {
        _host = new LedgerFactory(_db, _time);
        _client = _host.CreateAuthorizedClient();
    }

    public void Dispose()
    {
        _host.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task An_empty_commons_reads_as_empty()
    {
        var snapshot = await Reader.ReadAsync(CancellationToken.None);

        Assert.Empty(snapshot.Locations);
        Assert.Empty(snapshot.Listings);
        Assert.Empty(snapshot.UsageEvents);
        Assert.Empty(snapshot.Plans);
    }

    [Fact]
    public async Task The_reader_returns_only_open_listings_recent_usage_and_open_plans_with_their_commitments()
    {
        var location = await CreateAsync("/api/commons/locations", new { name = "Pantry", area = "Riverside" });
        var category = await CreateAsync("/api/commons/categories", new { name = "Bread", perishable = true });
        var member = await CreateAsync("/api/commons/members", new { name = "Ana", location_id = location, skills = new[] { "cooking" } });
        var listing = new { member_id = member, category_id = category, location_id = location };
        var open = await CreateAsync("/api/commons/listings", new { kind = "offer", listing.member_id, listing.category_id, listing.location_id, title = "Loaves", expires_at = Api.Iso(Now.AddHours(20)) });
        var fulfilled = await CreateAsync("/api/commons/listings", new { kind = "need", listing.member_id, listing.category_id, listing.location_id, title = "Bread" });
        var withdrawn = await CreateAsync("/api/commons/listings", new { kind = "offer", listing.member_id, listing.category_id, listing.location_id, title = "Rolls" });
        await _client.PostExpectAsync($"/api/commons/listings/{fulfilled}/status", new { status = "fulfilled" }, 200);
        await _client.PostExpectAsync($"/api/commons/listings/{withdrawn}/status", new { status = "withdrawn" }, 200);

        var item = await CreateAsync("/api/commons/inventory", new { location_id = location, category_id = category, name = "Flour", quantity = 20, unit = "kg", threshold = 5 });
        var recent = await UsageAsync(item, 1, Now.AddDays(-2));
        var older = await UsageAsync(item, 2, Now.AddDays(-29));
        await UsageAsync(item, 4, Now.AddDays(-40));

        var window = new { window_start = Api.Iso(Now.AddDays(1)), window_end = Api.Iso(Now.AddDays(4)) };
        var openPlan = await CreateAsync("/api/commons/plans", new { title = "Bake day", location_id = location, duration_hours = 3, window.window_start, window.window_end });
        var donePlan = await CreateAsync("/api/commons/plans", new { title = "Old bake day", location_id = location, duration_hours = 3, window.window_start, window.window_end });
        var commitment = new { member_id = member, available_from = Api.Iso(Now.AddDays(2)), available_until = Api.Iso(Now.AddDays(2).AddHours(4)) };
        var kept = (string)(await _client.PostExpectAsync($"/api/commons/plans/{openPlan}/commitments", commitment, 201))["id"]!;
        await _client.PostExpectAsync($"/api/commons/plans/{donePlan}/commitments", commitment, 201);
        await SetPlanStatusAsync(donePlan, PlanStatus.Done);

        var snapshot = await Reader.ReadAsync(CancellationToken.None);

        Assert.Equal(open, Assert.Single(snapshot.Listings).Id);
        Assert.Equal(Now.AddHours(20), snapshot.Listings[0].ExpiresAt);
        Assert.Equal([older, recent], snapshot.UsageEvents.Select(u => u.Id));
        Assert.Equal(13, Assert.Single(snapshot.Inventory).Quantity);
        Assert.Equal(openPlan, Assert.Single(snapshot.Plans).Id);
        Assert.Equal(kept, Assert.Single(snapshot.Commitments).Id);
        Assert.Equal(["cooking"], Assert.Single(snapshot.Members).Skills);
        Assert.Single(snapshot.Locations);
        Assert.Single(snapshot.Categories);

        // Thirty days are counted from the injected clock: two days on, the 29-day-old usage has aged out.
        _time.Advance(TimeSpan.FromDays(2));
        var later = await CreateAsync("/api/commons/listings", new { kind = "need", listing.member_id, listing.category_id, listing.location_id, title = "Flour" });
        var next = await Reader.ReadAsync(CancellationToken.None);
        Assert.Equal([recent], next.UsageEvents.Select(u => u.Id));
        Assert.Equal([open, later], next.Listings.Select(l => l.Id));
    }

    [Fact]
    public async Task Commitments_to_a_finished_plan_are_refused()
    {
        var location = await CreateAsync("/api/commons/locations", new { name = "Garden", area = "Riverside" });
        var member = await CreateAsync("/api/commons/members", new { name = "Ben", location_id = location });
        var plan = await CreateAsync("/api/commons/plans", new
        {
            title = "Dig beds",
            location_id = location,
            duration_hours = 2,
            window_start = Api.Iso(Now.AddDays(-3)),
            window_end = Api.Iso(Now.AddDays(-2)),
        });
        await SetPlanStatusAsync(plan, PlanStatus.Done);
        var before = _db.AllRowCounts();

        var response = await _client.PostJsonAsync($"/api/commons/plans/{plan}/commitments", new
        {
            member_id = member,
            available_from = Api.Iso(Now.AddDays(-3)),
            available_until = Api.Iso(Now.AddDays(-3).AddHours(3)),
        });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "done plan");
        Assert.Equal(before, _db.AllRowCounts());
    }

    private ICommonsReader Reader => _host.Services.GetRequiredService<ICommonsReader>();

    private async Task<string> CreateAsync(string url, object body) => (string)(await _client.PostExpectAsync(url, body, 201))["id"]!;

    private async Task<string> UsageAsync(string item, double quantity, DateTimeOffset at) =>
        (string)(await _client.PostExpectAsync($"/api/commons/inventory/{item}/usage", new { quantity, occurred_at = Api.Iso(at) }, 201))["usage"]!["id"]!;

    /// <summary>The API only creates open plans; the agents and coordinators that finish them come later.</summary>
    private async Task SetPlanStatusAsync(string id, PlanStatus status)
    {
        await using var db = _host.Services.GetRequiredService<ICommonsDbContextFactory>().Create();
        var plan = await db.Plans.SingleAsync(p => p.Id == id);
        plan.Status = status;
        await db.SaveChangesAsync();
    }
}
