using AgentLedger.Commons.Model;

namespace AgentLedger.Commons.Agents;

/// <summary>A snapshot's members, locations and categories by id, so explanations can name the real records.</summary>
internal sealed class CommonsLookup
{
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Location> _locations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResourceCategory> _categories = new(StringComparer.Ordinal);

    public CommonsLookup(CommonsSnapshot snapshot)
    {
        foreach (var member in snapshot.Members)
        {
            _members.TryAdd(member.Id, member);
        }
        foreach (var location in snapshot.Locations)
        {
            _locations.TryAdd(location.Id, location);
        }
        foreach (var category in snapshot.Categories)
        {
            _categories.TryAdd(category.Id, category);
        }
    }

    public Member? Member(string id) => _members.GetValueOrDefault(id);

    public Location? Location(string id) => _locations.GetValueOrDefault(id);

    // An unknown id is shown as itself: a reviewer can still look it up, and nothing is made up.
    public string MemberName(string id) => Member(id)?.Name ?? id;

    public string LocationName(string id) => Location(id)?.Name ?? id;

    public string CategoryName(string id) => _categories.GetValueOrDefault(id)?.Name ?? id;

    /// <summary>The area of a location, or null when the location or its area is unknown.</summary>
    public string? Area(string locationId) => Location(locationId)?.Area is { Length: > 0 } area ? area : null;

    public bool SameArea(string a, string b) => Area(a) is { } area && string.Equals(area, Area(b), StringComparison.Ordinal);

    /// <summary>Kilometres between two locations; 0 for the same one, null when either has no coordinates.</summary>
    public double? DistanceKm(string fromLocationId, string toLocationId)
    {
        if (string.Equals(fromLocationId, toLocationId, StringComparison.Ordinal))
        {
            return 0;
        }
        return Location(fromLocationId) is { Latitude: { } lat1, Longitude: { } lon1 }
            && Location(toLocationId) is { Latitude: { } lat2, Longitude: { } lon2 }
            ? Geo.HaversineKm(lat1, lon1, lat2, lon2)
            : null;
    }
}

internal static class Geo
{
    private const double EarthRadiusKm = 6371.0088;

    /// <summary>Great-circle distance; accurate to well under 1 % at neighbourhood scale, which is all a score needs.</summary>
    public static double HaversineKm(double lat1, double lon1, double lat2, double lon2)
    {
        static double Radians(double degrees) => degrees * Math.PI / 180;

        var dLat = Radians(lat2 - lat1);
        var dLon = Radians(lon2 - lon1);
        var h = Math.Pow(Math.Sin(dLat / 2), 2) + (Math.Cos(Radians(lat1)) * Math.Cos(Radians(lat2)) * Math.Pow(Math.Sin(dLon / 2), 2));
        return 2 * EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }
}
