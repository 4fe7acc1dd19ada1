using AgentLedger.Server.Auth;
using AgentLedger.Commons.Model;
using AgentLedger.Commons.Storage.Stores;
using AgentLedger.Core.Common;
using AgentLedger.Server.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AgentLedger.Server.Apis;

/// <summary>
/// The commons data the built-in agents read: locations, categories, members, offers and needs,
/// inventory and its usage, work plans and commitments. Lists are <c>{items, next_cursor}</c>;
/// only listings grow large enough to page.
/// </summary>
public static class CommonsApi
{
    private const string Root = "/api/commons";

    public static IEndpointRouteBuilder MapCommonsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Root).Access(AccessLevel.Read).WithTags("Commons").Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable);

        api.MapGet("/locations", ListLocations).WithSummary("Every location, by area and name.");
        api.MapGet("/locations/{id}", GetLocation).WithSummary("One location.");
        api.MapPost("/locations", CreateLocation).Access(AccessLevel.Admin).WithSummary("Adds a location.");

        api.MapGet("/categories", ListCategories).WithSummary("Every resource category, by name.");
        api.MapGet("/categories/{id}", GetCategory).WithSummary("One resource category.");
        api.MapPost("/categories", CreateCategory).Access(AccessLevel.Admin).WithSummary("Adds a resource category.");

        api.MapGet("/members", ListMembers).WithSummary("Every member, by name; filter by location.");
        api.MapGet("/members/{id}", GetMember).WithSummary("One member.");
        api.MapPost("/members", CreateMember).Access(AccessLevel.Admin).WithSummary("Adds a member.");

        api.MapGet("/listings", ListListings).WithSummary("Offers and needs, newest first, filtered by kind, status and category, with cursor paging.");
        api.MapGet("/listings/{id}", GetListing).WithSummary("One offer or need.");
        api.MapPost("/listings", CreateListing).Access(AccessLevel.Admin).WithSummary("Adds an offer or a need (open).");
        api.MapPost("/listings/{id}/status", SetListingStatus).Access(AccessLevel.Admin).WithSummary("Marks a listing open, fulfilled or withdrawn.");

        api.MapGet("/inventory", ListInventory).WithSummary("Every inventory item; filter by location.");
        api.MapGet("/inventory/{id}", GetInventoryItem).WithSummary("One inventory item.");
        api.MapPost("/inventory", CreateInventoryItem).Access(AccessLevel.Admin).WithSummary("Adds an inventory item.");
        api.MapGet("/inventory/{id}/usage", ListUsage).WithSummary("An item's usage events, newest first.");
        api.MapPost("/inventory/{id}/usage", RecordUsage).Access(AccessLevel.Admin).WithSummary("Records stock taken out and lowers the item's quantity (not below 0).");

        api.MapGet("/plans", ListPlans).WithSummary("Work plans by window start; filter by status.");
        api.MapGet("/plans/{id}", GetPlan).WithSummary("One work plan.");
        api.MapPost("/plans", CreatePlan).Access(AccessLevel.Admin).WithSummary("Adds a work plan (open).");
        api.MapGet("/plans/{id}/commitments", ListCommitments).WithSummary("The commitments made to a plan.");
        api.MapPost("/plans/{id}/commitments", CreateCommitment).Access(AccessLevel.Admin).Problems(StatusCodes.Status409Conflict)
            .WithSummary("Records when a member can help with a plan; 409 when the plan is finished.");
        return app;
    }

    public static async Task<Ok<Page<Location>>> ListLocations(CommunityStore store, CancellationToken cancellationToken) =>
        All(await store.ListLocationsAsync(cancellationToken));

    public static async Task<Ok<Location>> GetLocation(string id, CommunityStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.FindLocationAsync(id, cancellationToken) ?? throw NotFound("location", id));

    public static async Task<Created<Location>> CreateLocation(
        CreateLocationRequest request, CommunityStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var location = await store.AddLocationAsync(new CommonsRules(now).Check(request, NewId(now)), cancellationToken);
        return TypedResults.Created($"{Root}/locations/{location.Id}", location);
    }

    public static async Task<Ok<Page<ResourceCategory>>> ListCategories(CommunityStore store, CancellationToken cancellationToken) =>
        All(await store.ListCategoriesAsync(cancellationToken));

    public static async Task<Ok<ResourceCategory>> GetCategory(string id, CommunityStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.FindCategoryAsync(id, cancellationToken) ?? throw NotFound("category", id));

    public static async Task<Created<ResourceCategory>> CreateCategory(
        CreateCategoryRequest request, CommunityStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var category = await store.AddCategoryAsync(new CommonsRules(now).Check(request, NewId(now)), cancellationToken);
        return TypedResults.Created($"{Root}/categories/{category.Id}", category);
    }

    public static async Task<Ok<Page<Member>>> ListMembers(
        [FromQuery(Name = "location_id")] string? locationId, CommunityStore store, CancellationToken cancellationToken) =>
        All(await store.ListMembersAsync(locationId, cancellationToken));

    public static async Task<Ok<Member>> GetMember(string id, CommunityStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.FindMemberAsync(id, cancellationToken) ?? throw NotFound("member", id));

    public static async Task<Created<Member>> CreateMember(
        CreateMemberRequest request, CommunityStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var member = await store.AddMemberAsync(new CommonsRules(now).Check(request, NewId(now)), cancellationToken);
        return TypedResults.Created($"{Root}/members/{member.Id}", member);
    }

    public static async Task<Ok<Page<Listing>>> ListListings(
        string? kind, string? status, [FromQuery(Name = "category_id")] string? categoryId, int? limit, string? cursor,
        ListingStore store, CancellationToken cancellationToken)
    {
        var filter = new ListingFilter(
            ApiQuery.Enum<ListingKind>(kind, "kind"),
            ApiQuery.Enum<ListingStatus>(status, "status"),
            string.IsNullOrEmpty(categoryId) ? null : categoryId,
            ApiQuery.Limit(limit),
            cursor);
        return TypedResults.Ok(await store.ListAsync(filter, cancellationToken));
    }

    public static async Task<Ok<Listing>> GetListing(string id, ListingStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.FindAsync(id, cancellationToken) ?? throw NotFound("listing", id));

    public static async Task<Created<Listing>> CreateListing(
        CreateListingRequest request, ListingStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var listing = await store.AddAsync(new CommonsRules(now).Check(request, NewId(now)), cancellationToken);
        return TypedResults.Created($"{Root}/listings/{listing.Id}", listing);
    }

    public static async Task<Ok<Listing>> SetListingStatus(
        string id, ListingStatusRequest request, ListingStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var status = new CommonsRules(time.GetUtcNow()).Check(request);
        return TypedResults.Ok(await store.SetStatusAsync(id, status, cancellationToken));
    }

    public static async Task<Ok<Page<InventoryItem>>> ListInventory(
        [FromQuery(Name = "location_id")] string? locationId, InventoryStore store, CancellationToken cancellationToken) =>
        All(await store.ListAsync(locationId, cancellationToken));

    public static async Task<Ok<InventoryItem>> GetInventoryItem(string id, InventoryStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.FindAsync(id, cancellationToken) ?? throw NotFound("inventory item", id));

    public static async Task<Created<InventoryItem>> CreateInventoryItem(
        CreateInventoryItemRequest request, InventoryStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var item = await store.AddAsync(new CommonsRules(now).Check(request, NewId(now)), cancellationToken);
        return TypedResults.Created($"{Root}/inventory/{item.Id}", item);
    }

    public static async Task<Ok<Page<UsageEvent>>> ListUsage(string id, int? limit, InventoryStore store, CancellationToken cancellationToken) =>
        All(await store.ListUsageAsync(id, ApiQuery.Limit(limit), cancellationToken));

    /// <summary>201 with the usage and the item as it now stands; Location is the item's usage list.</summary>
    public static async Task<Created<UsageRecorded>> RecordUsage(
        string id, RecordUsageRequest request, InventoryStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var usage = new CommonsRules(now).Check(request, id, NewId(now));
        var recorded = await store.RecordUsageAsync(usage, now, cancellationToken);
        return TypedResults.Created($"{Root}/inventory/{id}/usage", recorded);
    }

    public static async Task<Ok<Page<WorkPlan>>> ListPlans(string? status, PlanStore store, CancellationToken cancellationToken) =>
        All(await store.ListAsync(ApiQuery.Enum<PlanStatus>(status, "status"), cancellationToken));

    public static async Task<Ok<WorkPlan>> GetPlan(string id, PlanStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.FindAsync(id, cancellationToken) ?? throw NotFound("plan", id));

    public static async Task<Created<WorkPlan>> CreatePlan(
        CreatePlanRequest request, PlanStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var plan = await store.AddAsync(new CommonsRules(now).Check(request, NewId(now)), cancellationToken);
        return TypedResults.Created($"{Root}/plans/{plan.Id}", plan);
    }

    public static async Task<Ok<Page<Commitment>>> ListCommitments(string id, PlanStore store, CancellationToken cancellationToken) =>
        All(await store.ListCommitmentsAsync(id, cancellationToken));

    /// <summary>201 with the commitment; Location is the plan's commitment list.</summary>
    public static async Task<Created<Commitment>> CreateCommitment(
        string id, CreateCommitmentRequest request, PlanStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var commitment = await store.AddCommitmentAsync(new CommonsRules(now).Check(request, id, NewId(now)), cancellationToken);
        return TypedResults.Created($"{Root}/plans/{id}/commitments", commitment);
    }

    /// <summary>Version 7: time-ordered, so ids sort roughly by creation like the rows they name.</summary>
    private static string NewId(DateTimeOffset now) => Guid.CreateVersion7(now).ToString();

    private static Ok<Page<T>> All<T>(IReadOnlyList<T> items) => TypedResults.Ok(new Page<T>(items, null));

    private static NotFoundException NotFound(string what, string id) => new($"No {what} has id '{id}'.");
}
