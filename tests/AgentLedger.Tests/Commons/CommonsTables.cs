using System.Net;
using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;

namespace AgentLedger.Tests.Commons;

/// <summary>The commons tables read straight from the file, and the assertions the commons tests share.</summary>
public static class CommonsTables
{
    public static readonly string[] Names =
    [
        "commons_locations", "commons_categories", "commons_members", "commons_listings",
        "commons_inventory_items", "commons_usage_events", "commons_plans", "commons_commitments",
    ];

    public static IReadOnlyDictionary<string, long> CommonsRowCounts(this TestDatabase database) =>
        Names.ToDictionary(t => t, t => database.Scalar($"SELECT COUNT(*) FROM {t}"));

    /// <summary>Every row of every commons table and of the ledger, so "nothing written" is checked everywhere.</summary>
    public static IReadOnlyDictionary<string, long> AllRowCounts(this TestDatabase database) =>
        database.CommonsRowCounts().Concat(database.RowCounts()).ToDictionary(p => p.Key, p => p.Value);

    public static async Task<JsonNode> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string why)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{why}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal((int)status, (int)problem["status"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]), why);
        return problem;
    }

    /// <summary>A 400 whose validation errors (or, for a body the JSON reader refused, whose detail) name the field.</summary>
    public static async Task AssertNamesFieldAsync(this HttpResponseMessage response, string field, string why)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, why);
        var named = problem["errors"]?[field] is not null || ((string?)problem["detail"] ?? "").Contains(field, StringComparison.Ordinal);
        Assert.True(named, $"{why}: the problem does not name '{field}': {problem.ToJsonString()}");
    }
}
