using System.Globalization;
using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgentLedger.Tests.Browser;

/// <summary>
/// The agent page's outcomes block and metric sums, in headless Chromium against a real host: the
/// figures are worked out here from what the test reports and decides, checked against the API,
/// and the page must show the API's numbers, rounded as dom.js fmtAmount rounds them.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AgentOutcomesTests(BrowserFixture browser) : IDisposable
{
    private readonly DashboardHost _host = new();

    public void Dispose() => _host.Dispose();

    private sealed record Run(double HoursAgo, Dictionary<string, double> Metrics, string[] Approved, string[] Rejected, string[] Pending)
    {
        public IEnumerable<string> Proposals => Approved.Concat(Rejected).Concat(Pending);
    }

    /// <summary>What the window's runs add up to, as the API should compute it.</summary>
    private sealed record Expected(long Recorded, long Decided, long Approved, IReadOnlyDictionary<string, double> Sums)
    {
        public static Expected Of(IEnumerable<Run> runs)
        {
            var list = runs.ToList();
            var sums = list.SelectMany(r => r.Metrics).GroupBy(m => m.Key).ToDictionary(g => g.Key, g => g.Sum(m => m.Value), StringComparer.Ordinal);
            var approved = list.Sum(r => r.Approved.Length);
            return new Expected(list.Sum(r => r.Proposals.Count()), approved + list.Sum(r => r.Rejected.Length), approved, sums);
        }

        public double? PerApproved(string metric) => Approved > 0 && Sums.TryGetValue(metric, out var sum) ? sum / Approved : null;
    }

    [BrowserFact]
    public async Task The_agent_page_shows_the_windows_metric_sums_and_outcomes_as_the_api_computes_them()
    {
        const string agent = "py-matcher";
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        // Within the default 72 h proposal lifetime, so nothing expires while the test runs.
        var runs = new List<Run>
        {
            new(2, new() { ["tokens"] = 48_213, ["cost"] = 0.7345, ["documents"] = 12 }, ["O-A1", "O-A2"], [], ["O-A3"]),
            new(5, new() { ["tokens"] = 1_521, ["cost"] = 0.0321 }, [], ["O-B1"], []),
            new(30, new() { ["tokens"] = 9_001, ["cost"] = 0.25, ["documents"] = 3 }, ["O-C1"], [], ["O-C2"]),
        };
        foreach (var run in runs)
        {
            await _host.Api.ReportRunAsync(agent, now.AddHours(-run.HoursAgo), "success", 2, proposalTitles: run.Proposals, metrics: run.Metrics);
        }
        foreach (var run in runs)
        {
            foreach (var title in run.Approved)
            {
                await _host.Api.DecideAsync(title, "approve");
            }
            foreach (var title in run.Rejected)
            {
                await _host.Api.DecideAsync(title, "reject");
            }
        }
        var day = Expected.Of(runs.Where(r => r.HoursAgo < 24));
        var week = Expected.Of(runs);
        Assert.Equal(new Expected(4, 3, 2, day.Sums), day);
        Assert.Equal(new Expected(6, 4, 3, week.Sums), week);

        await using var session = await DashboardSession.OpenAsync(browser.Browser, _host.Address);
        var page = session.Page;
        await session.GotoAsync($"/#/agents/{agent}?window=24h");
        var section = page.Locator("section.outcomes");
        await Expect(section.GetByRole(AriaRole.Heading, new() { Name = "Outcomes" })).ToBeVisibleAsync();
        await ExpectWindowAsync(section, agent, "24h", day);

        await page.Locator("fieldset[data-role='window'] label", new() { HasText = "7d" }).ClickAsync();
        await ExpectWindowAsync(section, agent, "7d", week);

        // Another agent that reports no metrics and makes no proposals: empty states, not zeros made up.
        await _host.Api.ReportRunAsync("quiet-agent", now.AddHours(-1), "success");
        await session.GotoAsync("/#/agents/quiet-agent?window=24h");
        await Expect(section.Locator("p.empty")).ToHaveTextAsync("No metrics reported in this window.");
        await Expect(Card(section, "cost_per_approved_proposal")).ToHaveAttributeAsync("data-value", "");
        await Expect(Card(section, "cost_per_approved_proposal").Locator(".stat-note")).ToHaveTextAsync("no run reported cost");
        await Expect(Card(section, "review_latency_seconds_p50").Locator(".stat-value")).ToHaveTextAsync("—");
        session.AssertNoConsoleErrors();
    }

    private static ILocator Card(ILocator section, string field) => section.Locator($".stat[data-field='outcomes.{field}']");

    private async Task ExpectWindowAsync(ILocator section, string agent, string window, Expected expected)
    {
        var stats = (await _host.Api.GetNodeAsync($"/api/agents/{agent}/stats?window={window}"))["stats"]!;
        var outcomes = stats["outcomes"]!;
        var metrics = stats["window"]!["metrics"]!.AsObject();
        // The API agrees with the figures worked out here.
        Assert.Equal(expected.Recorded, (long)outcomes["proposals_created"]!);
        Assert.Equal(expected.Decided, (long)outcomes["proposals_decided"]!);
        Assert.Equal(0, (double)outcomes["expired_unreviewed_share"]!);
        Assert.Equal(expected.Sums.Keys.Order(StringComparer.Ordinal), metrics.Select(m => m.Key).Order(StringComparer.Ordinal));
        foreach (var (name, sum) in expected.Sums)
        {
            Assert.Equal(sum, (double)metrics[name]!, 9);
        }
        Assert.Equal(expected.PerApproved("cost")!.Value, (double)outcomes["cost_per_approved_proposal"]!, 9);
        Assert.Equal(expected.PerApproved("tokens")!.Value, (double)outcomes["tokens_per_approved_proposal"]!, 9);
        Assert.NotNull((double?)outcomes["review_latency_seconds_p95"]);

        await Expect(section.Locator(".section-head")).ToContainTextAsync($"Proposals created in the last {window}");
        await ExpectCardAsync(section, "proposals_created", outcomes, expected.Recorded.ToString(CultureInfo.InvariantCulture));
        await ExpectCardAsync(section, "proposals_decided", outcomes, expected.Decided.ToString(CultureInfo.InvariantCulture));
        await ExpectCardAsync(section, "expired_unreviewed_share", outcomes, "0%");
        await ExpectCardAsync(section, "review_latency_seconds_p50", outcomes, LedgerData.Duration((double)outcomes["review_latency_seconds_p50"]! * 1000));
        await ExpectCardAsync(section, "review_latency_seconds_p95", outcomes, LedgerData.Duration((double)outcomes["review_latency_seconds_p95"]! * 1000));
        await ExpectCardAsync(section, "cost_per_approved_proposal", outcomes, Amount(expected.PerApproved("cost")));
        await ExpectCardAsync(section, "tokens_per_approved_proposal", outcomes, Amount(expected.PerApproved("tokens")));

        var rows = section.Locator("table.metric-sums tbody tr");
        await Expect(rows).ToHaveCountAsync(expected.Sums.Count);
        await Expect(rows.Locator("th[scope='row']")).ToHaveTextAsync([.. expected.Sums.Keys.Order(StringComparer.Ordinal)]);
        foreach (var (name, sum) in expected.Sums)
        {
            var cell = section.Locator($"tr[data-metric='{name}'] td");
            await Expect(cell).ToHaveAttributeAsync("data-value", LedgerData.Raw(metrics[name]));
            await Expect(cell).ToHaveTextAsync(Amount(sum));
        }
    }

    private static async Task ExpectCardAsync(ILocator section, string field, JsonNode outcomes, string text)
    {
        await Expect(Card(section, field)).ToHaveAttributeAsync("data-value", LedgerData.Raw(outcomes[field]));
        await Expect(Card(section, field).Locator(".stat-value")).ToHaveTextAsync(text);
    }

    /// <summary>dom.js fmtAmount: whole from 1,000 up, else four significant digits, halves away from zero.</summary>
    private static string Amount(double? value)
    {
        if (value is not { } v)
        {
            return "—";
        }
        if (Math.Abs(v) >= 1000)
        {
            return Math.Round(v, MidpointRounding.AwayFromZero).ToString("#,0", CultureInfo.InvariantCulture);
        }
        var digits = v == 0 ? 1 : (int)Math.Floor(Math.Log10(Math.Abs(v))) + 1;
        return Math.Round(v, Math.Max(0, 4 - digits), MidpointRounding.AwayFromZero).ToString("#,0.##########", CultureInfo.InvariantCulture);
    }
}
