using System.Text.Json;
using AgentLedger.Commons.Model;
using AgentLedger.Core.Proposals;
using static System.FormattableString;

namespace AgentLedger.Commons.Agents;

/// <summary>Pairs open offers with open needs of the same category and proposes the good matches.</summary>
public sealed class MutualAidMatchmakerAgent(ICommonsReader reader) : CommonsAgent<MatchmakerConfig>(reader)
{
    public override string Name => "mutual-aid-matchmaker";

    public override string DisplayName => "Mutual aid matchmaker";

    public override string Description => "Matches open offers with open needs of the same category by place, time and quantity.";

    protected override int IntervalSeconds => 900;

    protected override MatchmakerConfig DefaultConfig => MatchmakerConfig.Default;

    protected override MatchmakerConfig ReadConfig(ConfigReader config) => MatchmakerConfig.Read(config);

    protected override CommonsFindings Evaluate(CommonsSnapshot snapshot, DateTimeOffset now, MatchmakerConfig config) =>
        MutualAidMatching.Evaluate(snapshot, config);
}

public sealed record MatchWeights(double Location, double Time, double Quantity);

public sealed record MatchmakerConfig(double MinMatchScore, MatchWeights Weights, double MaxDistanceKm)
{
    public static MatchmakerConfig Default { get; } = new(0.6, new MatchWeights(0.4, 0.3, 0.3), 10);

    public static MatchmakerConfig Read(ConfigReader config)
    {
        var minScore = config.Number("min_match_score", Default.MinMatchScore, 0, 1);
        var maxDistance = config.Number("max_distance_km", Default.MaxDistanceKm, 0, 20_000, minExclusive: true);
        var weights = Default.Weights;
        if (config.Object("weights") is { } reader)
        {
            reader.RejectUnknownKeys("location", "time", "quantity");
            weights = new MatchWeights(
                reader.Number("location", Default.Weights.Location, 0, 1_000),
                reader.Number("time", Default.Weights.Time, 0, 1_000),
                reader.Number("quantity", Default.Weights.Quantity, 0, 1_000));
            if (weights.Location + weights.Time + weights.Quantity <= 0)
            {
                config.Error("weights", "must not all be zero");
                weights = Default.Weights;
            }
        }
        return new MatchmakerConfig(minScore, weights, maxDistance);
    }
}

/// <summary>A pair's score: each component in [0, 1] and their weighted sum.</summary>
public sealed record MatchScore(double Location, double Time, double Quantity, double Total, double? DistanceKm);

public static class MutualAidMatching
{
    /// <summary>Same area but not the same place; also the ceiling for places in other areas, so a neighbouring area never outranks one's own.</summary>
    public const double SameAreaScore = 0.7;

    // A score computed as exactly the threshold can land a hair below it in floating point.
    private const double Tolerance = 1e-9;

    public static CommonsFindings Evaluate(CommonsSnapshot snapshot, MatchmakerConfig config)
    {
        var lookup = new CommonsLookup(snapshot);
        var offers = snapshot.Listings.Where(l => l is { Kind: ListingKind.Offer, Status: ListingStatus.Open }).ToList();
        var needs = snapshot.Listings.Where(l => l is { Kind: ListingKind.Need, Status: ListingStatus.Open }).ToList();

        var pairsScored = 0;
        var matches = new List<(Listing Offer, Listing Need, MatchScore Score)>();
        foreach (var offer in offers)
        {
            foreach (var need in needs.Where(n => Compatible(offer, n)))
            {
                pairsScored++;
                var score = Score(offer, need, lookup, config);
                if (score.Total >= config.MinMatchScore - Tolerance)
                {
                    matches.Add((offer, need, score));
                }
            }
        }

        var proposals = matches
            .OrderByDescending(m => m.Score.Total)
            .ThenBy(m => m.Offer.Id, StringComparer.Ordinal)
            .ThenBy(m => m.Need.Id, StringComparer.Ordinal)
            .Select(m => Propose(m.Offer, m.Need, m.Score, lookup))
            .ToList();
        return new CommonsFindings(proposals, offers.Count + needs.Count, new Dictionary<string, double>
        {
            ["pairs_scored"] = pairsScored,
            ["matches_found"] = proposals.Count,
        });
    }

    /// <summary>
    /// What can change hands at all: the same category in the same unit, windows that overlap, and
    /// never a member with themself. Only such pairs are scored; a good score cannot rescue a pair
    /// whose goods cannot be compared or whose people are never free at the same time.
    /// </summary>
    public static bool Compatible(Listing offer, Listing need) =>
        string.Equals(offer.CategoryId, need.CategoryId, StringComparison.Ordinal)
        && !string.Equals(offer.MemberId, need.MemberId, StringComparison.Ordinal)
        && CommonsText.SameUnit(offer.Unit, need.Unit)
        && TimeOverlap(offer.AvailableFrom, offer.AvailableUntil, need.AvailableFrom, need.AvailableUntil) > 0;

    internal static MatchScore Score(Listing offer, Listing need, CommonsLookup lookup, MatchmakerConfig config)
    {
        var distance = lookup.DistanceKm(offer.LocationId, need.LocationId);
        var location = LocationScore(offer.LocationId, need.LocationId, distance, lookup, config.MaxDistanceKm);
        var time = TimeOverlap(offer.AvailableFrom, offer.AvailableUntil, need.AvailableFrom, need.AvailableUntil);
        var quantity = QuantityScore(offer, need);
        var weights = config.Weights;
        var total = ((weights.Location * location) + (weights.Time * time) + (weights.Quantity * quantity))
            / (weights.Location + weights.Time + weights.Quantity);
        return new MatchScore(location, time, quantity, total, distance);
    }

    private static double LocationScore(string offerLocation, string needLocation, double? distanceKm, CommonsLookup lookup, double maxDistanceKm)
    {
        if (string.Equals(offerLocation, needLocation, StringComparison.Ordinal))
        {
            return 1;
        }
        if (lookup.SameArea(offerLocation, needLocation))
        {
            return SameAreaScore;
        }
        return distanceKm is { } km ? Math.Min(SameAreaScore, Math.Max(0, 1 - (km / maxDistanceKm))) : 0;
    }

    /// <summary>
    /// 1 when the windows overlap and either is open-ended; for two bounded windows, the share of the
    /// shorter one that the other covers; 0 for disjoint windows (touching at one instant is not an
    /// overlap, unless a window is itself a single instant).
    /// </summary>
    public static double TimeOverlap(DateTimeOffset? fromA, DateTimeOffset? untilA, DateTimeOffset? fromB, DateTimeOffset? untilB)
    {
        if ((fromA > untilA) || (fromB > untilB))
        {
            return 0;
        }
        var start = Later(fromA, fromB);
        var end = Earlier(untilA, untilB);
        if (start is { } s && end is { } e && e <= s)
        {
            var instant = (fromA is not null && fromA == untilA) || (fromB is not null && fromB == untilB);
            return instant && e == s ? 1 : 0;
        }
        if (fromA is null || untilA is null || fromB is null || untilB is null)
        {
            return 1;
        }
        var shorter = Math.Min((untilA.Value - fromA.Value).Ticks, (untilB.Value - fromB.Value).Ticks);
        return shorter == 0 ? 1 : Math.Min(1, (double)(end!.Value - start!.Value).Ticks / shorter);
    }

    /// <summary>How much of the need the offer covers; different units cannot be compared, so they score 0.</summary>
    public static double QuantityScore(Listing offer, Listing need) =>
        !CommonsText.SameUnit(offer.Unit, need.Unit) || need.Quantity <= 0 || offer.Quantity <= 0
            ? 0
            : Math.Min(offer.Quantity, need.Quantity) / need.Quantity;

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static DateTimeOffset? Earlier(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static ProposalDraft Propose(Listing offer, Listing need, MatchScore score, CommonsLookup lookup)
    {
        var offerer = lookup.MemberName(offer.MemberId);
        var needer = lookup.MemberName(need.MemberId);
        var where = string.Equals(offer.LocationId, need.LocationId, StringComparison.Ordinal)
            ? $"at the same place, {lookup.LocationName(need.LocationId)}"
            : score.DistanceKm is { } km
                ? $"at {lookup.LocationName(need.LocationId)}, {CommonsText.Km(km)} away"
                : $"at {lookup.LocationName(need.LocationId)} (distance unknown)";
        var when = score.Time switch
        {
            >= 1 => "Their time windows overlap.",
            > 0 => "Their time windows partly overlap.",
            _ => "Their time windows do not overlap.",
        };
        var explanation =
            $"{offerer} offers {CommonsText.Quantity(offer.Quantity, offer.Unit)} of \"{offer.Title}\" at {lookup.LocationName(offer.LocationId)}; "
            + $"{needer} needs {CommonsText.Quantity(need.Quantity, need.Unit)} (\"{need.Title}\") {where}. {when} "
            + Invariant($"Match score {score.Total:0.00} (location {score.Location:0.00}, time {score.Time:0.00}, quantity {score.Quantity:0.00}).");

        return new ProposalDraft(
            Type: "match",
            Title: $"Match {offerer}'s \"{offer.Title}\" with {needer}",
            Explanation: explanation,
            InputsUsed: [offer.Id, need.Id],
            Data: CommonsText.Data(new
            {
                offer_id = offer.Id,
                need_id = need.Id,
                category_id = offer.CategoryId,
                score = CommonsText.Round(score.Total),
                components = new
                {
                    location = CommonsText.Round(score.Location),
                    time = CommonsText.Round(score.Time),
                    quantity = CommonsText.Round(score.Quantity),
                },
                distance_km = CommonsText.Round(score.DistanceKm),
            }));
    }
}
