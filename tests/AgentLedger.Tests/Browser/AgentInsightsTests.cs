using System.Globalization;
using System.Text.Json.Nodes;
using AgentLedger.Core.Stats;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgentLedger.Tests.Browser;

/// <summary>
/// The agent page's error groups and its comparison with the previous window, in headless Chromium
/// against a real host and database. The expected figures are worked out here from what each test
/// seeds, and checked against the API as well, so the page must show what the API computes.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AgentInsightsTests(BrowserFixture browser) : IDisposable
{
    private const string Minus = "\u2212";
    private readonly DashboardHost _host = new();

    public void Dispose() => _host.Dispose();

    private HttpClient Api => _host.Api;

    private sealed record Failure(string Type, string Message, DateTimeOffset StartedAt, double Seconds)
    {
        public DateTimeOffset CompletedAt => StartedAt.AddSeconds(Seconds);
    }

    private sealed record ExpectedGroup(string Type, int Count, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, string Sample);

    /// <summary>The groups the API should make of <paramref name="failures"/>: each type here has one message pattern, so one group per type, newest first.</summary>
    private static List<ExpectedGroup> Groups(IEnumerable<Failure> failures) =>
        failures.GroupBy(f => f.Type)
            .Select(g => new ExpectedGroup(g.Key, g.Count(), g.Min(f => f.CompletedAt), g.Max(f => f.CompletedAt), g.MaxBy(f => f.StartedAt)!.Message))
            .OrderByDescending(g => g.LastSeen)
            .ToList();

    private static ILocator GroupRows(IPage page) => page.Locator(".error-groups-table tbody tr[data-fingerprint]");

    private static ILocator WindowLabel(IPage page, string window) => page.Locator("fieldset[data-role='window'] label", new() { HasText = window });

    /// <summary>The table's rows, in order, against the expected groups and the API's error list.</summary>
    private async Task ExpectGroupsAsync(IPage page, string agent, string window, List<ExpectedGroup> expected)
    {
        var total = expected.Sum(g => g.Count);
        var api = await Api.GetNodeAsync($"/api/agents/{agent}/errors?window={window}");
        Assert.Equal(total, (long)api["failures"]!);
        var items = api["items"]!.AsArray();
        Assert.Equal(expected.Select(g => g.Type), items.Select(i => (string)i!["error_type"]!));

        var rows = GroupRows(page);
        await Expect(rows).ToHaveCountAsync(expected.Count);
        await Expect(page.Locator(".error-groups .section-head")).ToContainTextAsync($"{total} failures in the last {window}, in {expected.Count} groups");
        for (var i = 0; i < expected.Count; i++)
        {
            var group = expected[i];
            var item = items[i]!;
            Assert.Equal(group.Count, (long)item["count"]!);
            Assert.Equal((double)group.Count / total, (double)item["share_of_failures"]!, 9);
            Assert.Equal(group.LastSeen, Parse(item["last_seen"]));
            Assert.Equal(group.FirstSeen, Parse(item["first_seen"]));

            var row = rows.Nth(i);
            await Expect(row).ToHaveAttributeAsync("data-fingerprint", (string)item["fingerprint"]!);
            await Expect(row.Locator("[data-field='error_type']")).ToHaveTextAsync(group.Type);
            await Expect(row.Locator("[data-field='count']")).ToHaveAttributeAsync("data-value", group.Count.ToString(CultureInfo.InvariantCulture));
            await Expect(row.Locator("[data-field='count']")).ToHaveTextAsync(group.Count.ToString(CultureInfo.InvariantCulture));
            await Expect(row.Locator("[data-field='share_of_failures']")).ToHaveAttributeAsync("data-value", LedgerData.Raw(item["share_of_failures"]));
            await Expect(row.Locator("[data-field='share_of_failures'] .num")).ToHaveTextAsync(LedgerData.Percent(JsonValue.Create((double)group.Count / total)));
            var message = row.Locator("[data-field='sample_message'] button");
            await Expect(message).ToHaveTextAsync(group.Sample);
            await Expect(message).ToHaveAttributeAsync("title", group.Sample);
            await Expect(row.Locator("[data-field='first_seen'] time")).ToHaveAttributeAsync("datetime", (string)item["first_seen"]!);
            await Expect(row.Locator("[data-field='last_seen'] time")).ToHaveAttributeAsync("datetime", (string)item["last_seen"]!);
        }
    }

    /// <summary>Now, to the second: the seeded times and durations are then exact on the wire (which keeps microseconds).</summary>
    private static DateTimeOffset WholeSecond() => DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    private static DateTimeOffset Parse(JsonNode? iso) => DateTimeOffset.Parse((string)iso!, CultureInfo.InvariantCulture);

    [BrowserFact]
    public async Task The_agent_page_groups_the_windows_failures_by_error_and_follows_window_and_polling()
    {
        const string agent = "flaky-importer";
        var now = WholeSecond();
        // Three errors, each repeated with other ids and numbers, 1 to 5 days old; one more 12 days old.
        var failures = new List<Failure>
        {
            new("TimeoutException", "offers API did not answer within 30 s (attempt 3)", now.AddHours(-26), 30),
            new("TimeoutException", "offers API did not answer within 45 s (attempt 1)", now.AddDays(-2), 45),
            new("TimeoutException", "offers API did not answer within 30 s (attempt 2)", now.AddDays(-4), 30),
            new("KeyNotFoundException", "need 4711 not found in pantry 12", now.AddHours(-30), 0.2),
            new("KeyNotFoundException", "need 815 not found in pantry 3", now.AddDays(-5), 0.2),
            new("ValueError", $"bad quantity -3 for offer 99: {LedgerData.HostileMarkup}", now.AddDays(-3), 0.1),
        };
        var old = new Failure("IOException", "disk quota 0x1f exceeded on /var/lib/pantry/cache", now.AddDays(-12), 1);
        foreach (var f in failures.Append(old))
        {
            await Api.ReportRunAsync(agent, f.StartedAt, "failed", f.Seconds, f.Type, f.Message);
        }
        await Api.ReportRunAsync(agent, now.AddHours(-1), "success", 2);
        await Api.ReportRunAsync(agent, now.AddDays(-3).AddHours(2), "success", 2);

        await using var session = await DashboardSession.OpenAsync(browser.Browser, _host.Address);
        var page = session.Page;
        await session.GotoAsync($"/#/agents/{agent}?window=24h");

        // The last 24 h only succeeded.
        var section = page.Locator("section.error-groups");
        await Expect(section.GetByRole(AriaRole.Heading, new() { Name = "Error groups" })).ToBeVisibleAsync();
        await Expect(section.Locator("p.empty")).ToHaveTextAsync("No failures in this window.");
        await Expect(GroupRows(page)).ToHaveCountAsync(0);

        await WindowLabel(page, "7d").ClickAsync();
        await ExpectGroupsAsync(page, agent, "7d", Groups(failures));
        await Expect(section.Locator("p.empty")).ToHaveCountAsync(0);
        await Expect(GroupRows(page).First.Locator("[data-field='last_seen'] time")).ToHaveTextAsync("1 d ago");
        // Markup in a message is text.
        await Expect(GroupRows(page).Nth(2).Locator("[data-field='sample_message']")).ToContainTextAsync(LedgerData.HostileMarkup);
        await Expect(page.Locator("img[src='x']")).ToHaveCountAsync(0);
        // Headers for assistive technology: columns and, per row, the error type.
        await Expect(page.Locator(".error-groups-table thead th[scope='col']")).ToHaveCountAsync(6);
        await Expect(GroupRows(page).Locator("th[scope='row']")).ToHaveCountAsync(3);

        // Opening a message shows all of it and what its occurrences share.
        var timeouts = GroupRows(page).Filter(new() { HasText = "TimeoutException" });
        var toggle = timeouts.Locator("[data-field='sample_message'] button");
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(timeouts.Locator(".group-pattern")).ToBeVisibleAsync();
        await Expect(timeouts.Locator(".group-pattern")).ToHaveTextAsync("Grouped as: offers API did not answer within <n> s (attempt <n>)");

        // A new failure of a known kind: the next poll counts it, puts its group first, and keeps the opened message open.
        var latest = new Failure("KeyNotFoundException", "need 9 not found in pantry 4", now.AddMinutes(-10), 0.3);
        await Api.ReportRunAsync(agent, latest.StartedAt, "failed", latest.Seconds, latest.Type, latest.Message);
        failures.Add(latest);
        await Expect(GroupRows(page).First.Locator("[data-field='count']")).ToHaveAttributeAsync("data-value", "3");
        await ExpectGroupsAsync(page, agent, "7d", Groups(failures));
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");

        await WindowLabel(page, "30d").ClickAsync();
        await ExpectGroupsAsync(page, agent, "30d", Groups(failures.Append(old)));
        Assert.EndsWith("window=30d", page.Url, StringComparison.Ordinal);
        Assert.Equal(1, await session.NavigationCountAsync());
        session.AssertNoConsoleErrors();
    }

    private sealed record Run(DateTimeOffset StartedAt, string Status, double Seconds, string[] Approved, string[] Rejected)
    {
        public long DurationMs => (long)(Seconds * 1000);

        public IEnumerable<string> Proposals => Approved.Concat(Rejected);
    }

    /// <summary>The figures of a window as the API derives them from its runs (p95 with the ledger's documented histogram).</summary>
    private sealed record Figures(long Runs, double? SuccessRate, double? P95, long Proposals, double? ApprovalRate)
    {
        public static Figures Of(IReadOnlyCollection<Run> runs)
        {
            var success = runs.Count(r => r.Status == "success");
            var failed = runs.Count(r => r.Status == "failed");
            var approved = runs.Sum(r => r.Approved.Length);
            var decided = approved + runs.Sum(r => r.Rejected.Length);
            var histogram = new DurationHistogram();
            foreach (var run in runs)
            {
                histogram.Add(run.DurationMs);
            }
            return new Figures(
                runs.Count,
                success + failed == 0 ? null : (double)success / (success + failed),
                histogram.Percentile(0.95),
                runs.Sum(r => r.Proposals.Count()),
                decided == 0 ? null : (double)approved / decided);
        }
    }

    private static async Task ExpectFigureAsync(ILocator table, string field, string current, string previous, string? delta, string direction, string verdict)
    {
        var row = table.Locator($"tr[data-field='{field}']");
        await Expect(row.Locator("[data-column='current']")).ToHaveTextAsync(current);
        await Expect(row.Locator("[data-column='previous']")).ToHaveTextAsync(previous);
        var badge = row.Locator("[data-column='delta'] .delta");
        await Expect(badge).ToHaveAttributeAsync("data-direction", direction);
        if (delta is null)
        {
            await Expect(badge).ToHaveTextAsync("—");
            return;
        }
        await Expect(badge.Locator(".delta-text")).ToHaveTextAsync(delta);
        await Expect(badge).ToHaveAttributeAsync("data-verdict", verdict);
        await Expect(badge.Locator(".delta-arrow")).ToHaveTextAsync(direction == "up" ? "▲" : "▼");
    }

    [BrowserFact]
    public async Task The_agent_page_compares_the_window_with_the_one_before_it()
    {
        const string agent = "weekly-matcher";
        var now = WholeSecond();
        var current = new List<Run>
        {
            new(now.AddHours(-2), "success", 1.0, ["Cur A", "Cur B"], []),
            new(now.AddHours(-4), "success", 2.0, ["Cur C"], []),
            new(now.AddHours(-6), "success", 3.0, [], ["Cur D"]),
            new(now.AddHours(-8), "failed", 4.0, [], []),
        };
        var previous = new List<Run>
        {
            new(now.AddHours(-26), "success", 0.5, ["Prev A"], []),
            new(now.AddHours(-28), "success", 0.6, [], ["Prev B"]),
            new(now.AddHours(-30), "success", 0.7, [], []),
            new(now.AddHours(-32), "failed", 0.8, [], []),
            new(now.AddHours(-34), "failed", 0.9, [], []),
        };
        // Before both windows: it must count in neither (its 9 s would move either p95).
        var older = new Run(now.AddHours(-60), "success", 9.0, ["Older A"], []);
        foreach (var run in current.Concat(previous).Append(older))
        {
            await Api.ReportRunAsync(agent, run.StartedAt, run.Status, run.Seconds,
                run.Status == "failed" ? "TimeoutException" : null, run.Status == "failed" ? "no answer" : null,
                proposalTitles: run.Proposals.Any() ? run.Proposals : null);
        }
        foreach (var run in current.Concat(previous).Append(older))
        {
            foreach (var title in run.Approved)
            {
                await Api.DecideAsync(title, "approve");
            }
            foreach (var title in run.Rejected)
            {
                await Api.DecideAsync(title, "reject");
            }
        }

        var now24 = Figures.Of(current);
        var before24 = Figures.Of(previous);
        Assert.Equal(new Figures(4, 0.75, now24.P95, 4, 0.75), now24);
        Assert.Equal(new Figures(5, 0.6, before24.P95, 2, 0.5), before24);
        // The API agrees with the figures worked out here.
        var stats = (await Api.GetNodeAsync($"/api/agents/{agent}/stats?window=24h&compare=previous"))["stats"]!;
        Assert.Equal(before24.Runs, (long)stats["previous"]!["runs"]!);
        Assert.Equal(before24.P95, (double?)stats["previous"]!["duration_ms"]!["p95"]);
        Assert.Equal(now24.P95, (double?)stats["window"]!["duration_ms"]!["p95"]);
        Assert.Equal(now24.Runs - before24.Runs, (long)stats["deltas"]!["runs"]!);
        Assert.Equal(now24.SuccessRate!.Value - before24.SuccessRate!.Value, (double)stats["deltas"]!["success_rate"]!, 9);
        Assert.Equal(now24.P95!.Value - before24.P95!.Value, (double)stats["deltas"]!["p95_duration_ms"]!, 9);
        Assert.Equal(now24.ApprovalRate!.Value - before24.ApprovalRate!.Value, (double)stats["deltas"]!["approval_rate"]!, 9);

        await using var session = await DashboardSession.OpenAsync(browser.Browser, _host.Address);
        var page = session.Page;
        await session.GotoAsync($"/#/agents/{agent}?window=24h");

        var section = page.Locator("section.comparison");
        await Expect(section.GetByRole(AriaRole.Heading, new() { Name = "Last 24h vs previous 24h" })).ToBeVisibleAsync();
        var table = section.Locator("table.comparison-table");
        await Expect(table.Locator("thead th[scope='col']")).ToHaveTextAsync(["Figure", "Last 24h", "Previous 24h", "Change"]);
        await Expect(table.Locator("tbody th[scope='row']")).ToHaveCountAsync(5);
        await ExpectFigureAsync(table, "runs", "4", "5", $"{Minus}1", "down", "neutral");
        await ExpectFigureAsync(table, "success_rate", "75%", "60%", "+15 pp", "up", "good");
        await ExpectFigureAsync(table, "p95", LedgerData.Duration(now24.P95), LedgerData.Duration(before24.P95), "+" + LedgerData.Duration(now24.P95 - before24.P95), "up", "bad");
        await ExpectFigureAsync(table, "proposals_created", "4", "2", "+2", "up", "neutral");
        await ExpectFigureAsync(table, "approval_rate", "75%", "50%", "+25 pp", "up", "good");
        // The raw numbers are the API's.
        await Expect(table.Locator("tr[data-field='p95'] [data-column='previous']")).ToHaveAttributeAsync("data-value", LedgerData.Raw(stats["previous"]!["duration_ms"]!["p95"]));
        await Expect(table.Locator("tr[data-field='success_rate'] .delta")).ToHaveAttributeAsync("data-value", LedgerData.Raw(stats["deltas"]!["success_rate"]));
        // Colour is not the only sign of a verdict.
        await Expect(table.Locator("tr[data-field='p95'] .delta .sr-only")).ToHaveTextAsync(" (worse)");
        await Expect(section).ToContainTextAsync("Previous: ");

        // The overview marks the same changes of the success rate and p95 in the agent's row.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }).GetByRole(AriaRole.Link, new() { Name = "Agents" }).ClickAsync();
        var row = page.Locator($"#agents-table tr[data-agent='{agent}']");
        await Expect(row.Locator("[data-field='success_rate'] .cell-change .delta-text")).ToHaveTextAsync("+15 pp");
        await Expect(row.Locator("[data-field='success_rate'] .cell-change .delta")).ToHaveAttributeAsync("data-verdict", "good");
        await Expect(row.Locator("[data-field='success_rate'] .cell-change")).ToHaveAttributeAsync("title", "Previous 24h: 60%");
        await Expect(row.Locator("[data-field='p95'] .cell-change .delta-text")).ToHaveTextAsync("+" + LedgerData.Duration(now24.P95 - before24.P95));
        await Expect(row.Locator("[data-field='p95'] .cell-change .delta")).ToHaveAttributeAsync("data-verdict", "bad");
        await row.GetByRole(AriaRole.Link).ClickAsync();

        // Over 7 days every seeded run is current and the 7 days before are empty: no rate, no p95, no change to show.
        await WindowLabel(page, "7d").ClickAsync();
        await Expect(section.GetByRole(AriaRole.Heading, new() { Name = "Last 7d vs previous 7d" })).ToBeVisibleAsync();
        var week = Figures.Of([.. current, .. previous, older]);
        await ExpectFigureAsync(table, "runs", "10", "0", "+10", "up", "neutral");
        await ExpectFigureAsync(table, "success_rate", LedgerData.Percent(JsonValue.Create(week.SuccessRate)), "—", null, "none", "");
        await ExpectFigureAsync(table, "p95", LedgerData.Duration(week.P95), "—", null, "none", "");
        await ExpectFigureAsync(table, "proposals_created", "7", "0", "+7", "up", "neutral");
        await ExpectFigureAsync(table, "approval_rate", LedgerData.Percent(JsonValue.Create(week.ApprovalRate)), "—", null, "none", "");
        // Nothing to compare with: the overview shows no change rather than a made-up one.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }).GetByRole(AriaRole.Link, new() { Name = "Agents" }).ClickAsync();
        await Expect(row.Locator("[data-field='success_rate'] .num")).ToHaveTextAsync(LedgerData.Percent(JsonValue.Create(week.SuccessRate)));
        await Expect(row.Locator(".cell-change .delta")).ToHaveCountAsync(0);
        session.AssertNoConsoleErrors();
    }
}
