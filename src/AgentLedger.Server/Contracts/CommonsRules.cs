using AgentLedger.Commons.Model;
using AgentLedger.Commons.Storage;
using AgentLedger.Core.Common;

namespace AgentLedger.Server.Contracts;

/// <summary>
/// The validation of the commons API's bodies: each check names its field, every problem is
/// reported at once (400), and a record is only built from a request that passed. Whether the
/// ids it references exist is checked by the store, in the transaction that writes.
/// </summary>
public sealed class CommonsRules(DateTimeOffset now)
{
    public const int MaxSkills = 50;
    public const int MaxSkillLength = 100;
    public const int MaxPeople = 1000;
    private static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, List<string>> _errors = [];

    public Location Check(CreateLocationRequest request, string id)
    {
        var name = Text("name", request.Name, CommonsDbContext.NameLength);
        var area = Text("area", request.Area, CommonsDbContext.NameLength);
        if (request.Latitude.HasValue != request.Longitude.HasValue)
        {
            Add(request.Latitude.HasValue ? "longitude" : "latitude", "latitude and longitude must be given together");
        }
        Range("latitude", request.Latitude, -90, 90);
        Range("longitude", request.Longitude, -180, 180);
        ThrowIfInvalid();
        return new Location(id, name, area, request.Latitude, request.Longitude);
    }

    public ResourceCategory Check(CreateCategoryRequest request, string id)
    {
        var name = Text("name", request.Name, CommonsDbContext.NameLength);
        var parent = Reference("parent_id", request.ParentId, required: false);
        ThrowIfInvalid();
        return new ResourceCategory(id, name, parent, request.Perishable ?? false);
    }

    public Member Check(CreateMemberRequest request, string id)
    {
        var name = Text("name", request.Name, CommonsDbContext.NameLength);
        var location = Reference("location_id", request.LocationId);
        var skills = SkillList("skills", request.Skills);
        var joined = request.JoinedAt ?? now;
        NotInFuture("joined_at", joined);
        ThrowIfInvalid();
        return new Member(id, name, location!, skills, LedgerTime.Normalize(joined));
    }

    public Listing Check(CreateListingRequest request, string id)
    {
        var kind = default(ListingKind);
        if (request.Kind is null)
        {
            Add("kind", "is required");
        }
        else if (!WireNames<ListingKind>.TryParse(request.Kind, out kind))
        {
            Add("kind", $"must be one of {string.Join(", ", WireNames<ListingKind>.All)}");
        }
        var member = Reference("member_id", request.MemberId);
        var category = Reference("category_id", request.CategoryId);
        var location = Reference("location_id", request.LocationId);
        var title = Text("title", request.Title, CommonsDbContext.NameLength);
        var description = OptionalText("description", request.Description, CommonsDbContext.DescriptionLength);
        var quantity = request.Quantity ?? 1;
        Positive("quantity", quantity);
        var unit = request.Unit is null ? "item" : Text("unit", request.Unit, CommonsDbContext.UnitLength);
        NotBefore("available_until", request.AvailableUntil, "available_from", request.AvailableFrom);
        NotBefore("expires_at", request.ExpiresAt, "available_from", request.AvailableFrom);
        ThrowIfInvalid();
        return new Listing(
            id, kind, member!, category!, title, description, quantity, unit, location!,
            LedgerTime.Normalize(request.AvailableFrom), LedgerTime.Normalize(request.AvailableUntil), LedgerTime.Normalize(request.ExpiresAt),
            ListingStatus.Open, LedgerTime.Normalize(now));
    }

    public ListingStatus Check(ListingStatusRequest request)
    {
        var status = default(ListingStatus);
        if (request.Status is null)
        {
            Add("status", "is required");
        }
        else if (!WireNames<ListingStatus>.TryParse(request.Status, out status))
        {
            Add("status", $"must be one of {string.Join(", ", WireNames<ListingStatus>.All)}");
        }
        ThrowIfInvalid();
        return status;
    }

    public InventoryItem Check(CreateInventoryItemRequest request, string id)
    {
        var location = Reference("location_id", request.LocationId);
        var category = Reference("category_id", request.CategoryId);
        var name = Text("name", request.Name, CommonsDbContext.NameLength);
        if (request.Quantity is null)
        {
            Add("quantity", "is required");
        }
        NotNegative("quantity", request.Quantity ?? 0);
        var unit = request.Unit is null ? "item" : Text("unit", request.Unit, CommonsDbContext.UnitLength);
        NotNegative("threshold", request.Threshold ?? 0);
        ThrowIfInvalid();
        return new InventoryItem(id, location!, category!, name, request.Quantity!.Value, unit, request.Threshold ?? 0, LedgerTime.Normalize(now));
    }

    public UsageEvent Check(RecordUsageRequest request, string itemId, string id)
    {
        if (request.Quantity is null)
        {
            Add("quantity", "is required");
        }
        Positive("quantity", request.Quantity ?? 1);
        var occurredAt = request.OccurredAt ?? now;
        NotInFuture("occurred_at", occurredAt);
        ThrowIfInvalid();
        return new UsageEvent(id, itemId, request.Quantity!.Value, LedgerTime.Normalize(occurredAt));
    }

    public WorkPlan Check(CreatePlanRequest request, string id)
    {
        var title = Text("title", request.Title, CommonsDbContext.NameLength);
        var location = Reference("location_id", request.LocationId);
        var skills = SkillList("required_skills", request.RequiredSkills);
        var minPeople = request.MinPeople ?? 1;
        if (minPeople is < 1 or > MaxPeople)
        {
            Add("min_people", $"must be between 1 and {MaxPeople}");
        }
        Required("window_start", request.WindowStart);
        Required("window_end", request.WindowEnd);
        if (request.WindowStart is { } start && request.WindowEnd is { } end && end <= start)
        {
            Add("window_end", "must be after window_start");
        }
        if (request.DurationHours is not { } hours)
        {
            Add("duration_hours", "is required");
        }
        else if (Positive("duration_hours", hours) && request.WindowStart is { } s && request.WindowEnd is { } e && e > s
            && hours > (e - s).TotalHours)
        {
            Add("duration_hours", "must fit between window_start and window_end");
        }
        ThrowIfInvalid();
        return new WorkPlan(
            id, title, location!, skills, minPeople, request.DurationHours!.Value,
            LedgerTime.Normalize(request.WindowStart!.Value), LedgerTime.Normalize(request.WindowEnd!.Value),
            request.NeedsWorkParty ?? true, PlanStatus.Open);
    }

    public Commitment Check(CreateCommitmentRequest request, string planId, string id)
    {
        var member = Reference("member_id", request.MemberId);
        Required("available_from", request.AvailableFrom);
        Required("available_until", request.AvailableUntil);
        if (request.AvailableFrom is { } from && request.AvailableUntil is { } until && until <= from)
        {
            Add("available_until", "must be after available_from");
        }
        ThrowIfInvalid();
        return new Commitment(id, planId, member!, LedgerTime.Normalize(request.AvailableFrom!.Value), LedgerTime.Normalize(request.AvailableUntil!.Value));
    }

    private string Text(string field, string? value, int maxLength)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            Add(field, value is null ? "is required" : "must not be blank");
            return "";
        }
        if (text.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters");
        }
        else if (text.Contains('\0'))
        {
            // PostgreSQL text cannot hold NUL; refusing it everywhere keeps the engines identical.
            Add(field, "must not contain NUL characters");
        }
        return text;
    }

    /// <summary>An optional text left blank is simply absent.</summary>
    private string? OptionalText(string field, string? value, int maxLength) =>
        string.IsNullOrWhiteSpace(value) ? null : Text(field, value, maxLength);

    private string? Reference(string field, string? id, bool required = true)
    {
        if (id is null)
        {
            if (required)
            {
                Add(field, "is required");
            }
            return null;
        }
        // Longer than any id can be: say so without echoing it into the store's lookup.
        if (id.Length is 0 or > CommonsDbContext.IdLength)
        {
            Add(field, "is not an id of this commons");
        }
        return id;
    }

    private IReadOnlyList<string> SkillList(string field, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return [];
        }
        if (values.Count > MaxSkills)
        {
            Add(field, $"at most {MaxSkills} skills");
        }
        var skills = new List<string>();
        for (var i = 0; i < values.Count; i++)
        {
            var skill = Text($"{field}[{i}]", values[i], MaxSkillLength);
            // One spelling per skill, so matching people to work does not depend on capitals.
            var normalised = skill.ToLowerInvariant();
            if (normalised.Length > 0 && !skills.Contains(normalised))
            {
                skills.Add(normalised);
            }
        }
        return skills;
    }

    private bool Positive(string field, double value)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            Add(field, "must be a finite number greater than 0");
            return false;
        }
        return true;
    }

    private void NotNegative(string field, double value)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            Add(field, "must be a finite number, not negative");
        }
    }

    private void Range(string field, double? value, double min, double max)
    {
        if (value is { } v && (!double.IsFinite(v) || v < min || v > max))
        {
            Add(field, $"must be between {min} and {max}");
        }
    }

    private void Required<T>(string field, T? value) where T : struct
    {
        if (value is null)
        {
            Add(field, "is required");
        }
    }

    private void NotBefore(string field, DateTimeOffset? value, string otherField, DateTimeOffset? other)
    {
        if (value is { } v && other is { } o && v < o)
        {
            Add(field, $"must not be before {otherField}");
        }
    }

    private void NotInFuture(string field, DateTimeOffset value)
    {
        if (value > now + FutureTolerance)
        {
            Add(field, "must not be more than 5 minutes in the future");
        }
    }

    private void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
    }

    private void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
        {
            throw new ValidationException(_errors.ToDictionary(p => p.Key, p => p.Value.ToArray()));
        }
    }
}
