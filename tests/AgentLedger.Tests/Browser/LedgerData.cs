using System.Globalization;
using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;

namespace AgentLedger.Tests.Browser;

/// <summary>Real ledger data for the browser tests, written through the HTTP API as an external agent would.</summary>
internal static class LedgerData
{
    public const string HostileMarkup = "<img src=x onerror=alert(1)>";

    /// <summary>Records a finished run (back-dated as needed) and returns the execution.</summary>
    public static Task<JsonNode> ReportRunAsync(
        this HttpClient api, string agent, DateTimeOffset startedAt, string status, double seconds = 1.0,
        string? errorType = null, string? errorMessage = null, IEnumerable<string>? proposalTitles = null, object? metrics = null)
    {
        var report = new Dictionary<string, object>
        {
            ["agent_name"] = agent,
            ["started_at"] = Api.Iso(startedAt),
            ["completed_at"] = Api.Iso(startedAt.AddSeconds(seconds)),
            ["status"] = status,
        };
        if (errorType is not null)
        {
            report["error_type"] = errorType;
        }
        if (errorMessage is not null)
        {
            report["error_message"] = errorMessage;
        }
        if (proposalTitles is not null)
        {
            report["proposals"] = proposalTitles.Select(t => new { type = "match", title = t, explanation = $"Proposed by {agent}.", inputs_used = new[] { "offer-1", "need-1" } }).ToArray();
        }
        if (metrics is not null)
        {
            report["metrics"] = metrics;
        }
        return api.ReportAsync(report);
    }

    public static async Task<JsonNode> ProposalAsync(this HttpClient api, string title)
    {
        var items = (await api.GetNodeAsync("/api/proposals?limit=500"))["items"]!.AsArray();
        return items.Single(p => (string?)p!["title"] == title)!;
    }

    public static Task DecideAsync(this HttpClient api, string title, string decision) =>
        DecideByIdAsync(api, api.ProposalAsync(title), decision);

    private static async Task DecideByIdAsync(HttpClient api, Task<JsonNode> proposal, string decision) =>
        await api.PostExpectAsync($"/api/proposals/{(await proposal)["id"]}/{decision}", new { decided_by = "seed" }, 200);

    /// <summary>The page's formatting of a rate: at most one decimal, "66.7%", "100%", "—" for none.</summary>
    public static string Percent(JsonNode? rate) =>
        rate is null ? "—" : Math.Round((double)rate * 100, 1, MidpointRounding.AwayFromZero).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    /// <summary>The page's formatting of a duration in milliseconds (dom.js fmtDuration): "840 ms", "3.99 s", "12.5 s", "2 min 5 s".</summary>
    public static string Duration(double? ms)
    {
        if (ms is not { } value)
        {
            return "—";
        }
        if (value < 1000)
        {
            return JsRound(value).ToString(CultureInfo.InvariantCulture) + " ms";
        }
        var s = value / 1000;
        if (s < 10)
        {
            return s.ToString("0.00", CultureInfo.InvariantCulture) + " s";
        }
        if (s < 60)
        {
            return s.ToString("0.0", CultureInfo.InvariantCulture) + " s";
        }
        var minutes = Math.Floor(s / 60);
        var hours = Math.Floor(s / 3600);
        return s < 3600
            ? string.Create(CultureInfo.InvariantCulture, $"{minutes} min {JsRound(s - minutes * 60)} s")
            : string.Create(CultureInfo.InvariantCulture, $"{hours} h {JsRound((s - hours * 3600) / 60)} min");
    }

    /// <summary>JavaScript's Math.round: halves go up, not to even.</summary>
    private static double JsRound(double value) => Math.Floor(value + 0.5);

    /// <summary>What the page keeps in data-value: the API's number as JavaScript's String() prints it, or "" for null.</summary>
    public static string Raw(JsonNode? value) => value switch
    {
        null => "",
        _ when value.GetValueKind() == System.Text.Json.JsonValueKind.Number => value.GetValue<double>().ToString(CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
