using System.Text.Json.Nodes;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgentLedger.Tests.Browser;

/// <summary>
/// The dashboard in headless Chromium against a real host on a real socket and a real database:
/// what it shows must be what the API says, and what it does must be what the API then reports.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardTests(BrowserFixture browser) : IDisposable
{
    private const string External = "py-matchmaker";
    private readonly DashboardHost _host = new();

    public void Dispose() => _host.Dispose();

    private HttpClient Api => _host.Api;

    /// <summary>
    /// An external agent with runs inside and outside 24 h, 7 d and 30 d, decided and pending
    /// proposals (one titled with markup), a back-dated agent, and one in-process run.
    /// </summary>
    private async Task SeedAsync()
    {
        var now = DateTimeOffset.UtcNow;
        await Api.ReportRunAsync(External, now.AddHours(-1), "success", 1.2, proposalTitles: ["Ladder for Ana", "Bread for Ben", "Soup for Cem", LedgerData.HostileMarkup], metrics: new { pairs_scored = 120 });
        await Api.ReportRunAsync(External, now.AddHours(-2), "success", 0.8);
        await Api.ReportRunAsync(External, now.AddHours(-3), "failed", 2.5, "TimeoutError", "offers API did not answer");
        await Api.ReportRunAsync(External, now.AddDays(-3), "success", 3.0, proposalTitles: ["Old match"]);
        await Api.ReportRunAsync(External, now.AddDays(-3).AddHours(1), "failed", 0.4, "ValueError", "bad need id");
        await Api.ReportRunAsync(External, now.AddDays(-10), "success", 5.0);
        await Api.ReportRunAsync(External, now.AddDays(-10).AddHours(2), "success", 4.0);
        await Api.ReportRunAsync("nightly-report", now.AddDays(-5), "success", 12.0);
        await Api.DecideAsync("Ladder for Ana", "approve");
        await Api.DecideAsync("Bread for Ben", "reject");
        await Api.DecideAsync("Old match", "approve");
        await Api.PostExpectAsync("/api/agents/scripted/run?wait=true", new { }, 200);
    }

    private async Task<DashboardSession> OpenAsync(string? apiKey = null) =>
        await DashboardSession.OpenAsync(browser.Browser, _host.Address, apiKey: apiKey);

    private static ILocator Row(IPage page, string agent) => page.Locator($"#agents-table tr[data-agent='{agent}']");

    private static ILocator Cell(IPage page, string agent, string field) => Row(page, agent).Locator($"[data-field='{field}']");

    /// <summary>Every agent's row against GET /api/agents/stats for the window: raw values and their formatting.</summary>
    private async Task ExpectOverviewMatchesApiAsync(IPage page, string window)
    {
        var agents = (await Api.GetNodeAsync("/api/agents"))["agents"]!.AsArray();
        var stats = await Api.GetNodeAsync($"/api/agents/stats?window={window}");
        await Expect(page.Locator("#agents-table tbody tr[data-agent]")).ToHaveCountAsync(agents.Count);
        Assert.Equal(agents.Count, stats.AsObject().Count);
        foreach (var agent in agents)
        {
            var name = (string)agent!["name"]!;
            var w = stats.Stats(name)["window"]!;
            await Expect(Cell(page, name, "runs")).ToHaveAttributeAsync("data-value", LedgerData.Raw(w["runs"]));
            await Expect(Cell(page, name, "runs").Locator(".num")).ToHaveTextAsync(((long)w["runs"]!).ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Expect(Cell(page, name, "success_rate")).ToHaveAttributeAsync("data-value", LedgerData.Raw(w["success_rate"]));
            await Expect(Cell(page, name, "success_rate").Locator(".num")).ToHaveTextAsync(LedgerData.Percent(w["success_rate"]));
            await Expect(Cell(page, name, "proposals_created")).ToHaveAttributeAsync("data-value", LedgerData.Raw(w["proposals_created"]));
            await Expect(Cell(page, name, "approval_rate")).ToHaveAttributeAsync("data-value", LedgerData.Raw(w["approval_rate"]));
            await Expect(Cell(page, name, "approval_rate").Locator(".num")).ToHaveTextAsync(LedgerData.Percent(w["approval_rate"]));
            await Expect(Cell(page, name, "p95")).ToHaveAttributeAsync("data-value", LedgerData.Raw(w["duration_ms"]!["p95"]));
        }
    }

    [BrowserFact]
    public async Task The_overview_lists_every_agent_with_the_numbers_of_the_stats_api()
    {
        await SeedAsync();
        await using var session = await OpenAsync();
        var page = session.Page;
        await session.GotoAsync("/");

        await ExpectOverviewMatchesApiAsync(page, "24h");
        // The seeded figures, so the comparison above is not between two empty tables.
        await Expect(Cell(page, External, "runs")).ToHaveAttributeAsync("data-value", "3");
        await Expect(Cell(page, External, "success_rate").Locator(".num")).ToHaveTextAsync("66.7%");
        await Expect(Cell(page, External, "approval_rate").Locator(".num")).ToHaveTextAsync("50%");
        await Expect(Cell(page, External, "proposals_created")).ToHaveAttributeAsync("data-value", "4");
        await Expect(Cell(page, "scripted", "last_run").Locator(".badge")).ToHaveTextAsync("Success");
        // The newest run succeeded, so there is no current error; when the last one was is still shown.
        await Expect(Cell(page, External, "last_error")).ToContainTextAsync("last failed 3 h ago");
        var lastRun = Cell(page, External, "last_run").Locator("time");
        await Expect(lastRun).ToHaveTextAsync("1 h ago");
        await Expect(lastRun).ToHaveAttributeAsync("title", (string)(await Api.GetNodeAsync($"/api/agents/{External}"))["last_run"]!);
        await Expect(Row(page, "scripted").GetByRole(AriaRole.Button, new() { Name = "Run scripted now" })).ToBeVisibleAsync();
        await Expect(Row(page, External).GetByRole(AriaRole.Button, new() { Name = $"Run {External} now" })).ToHaveCountAsync(0);
        session.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task The_window_switch_shows_the_apis_figures_for_that_window()
    {
        await SeedAsync();
        await using var session = await OpenAsync();
        var page = session.Page;
        await session.GotoAsync("/");
        await Expect(Cell(page, External, "runs")).ToHaveAttributeAsync("data-value", "3");

        await page.Locator("fieldset[data-role='window'] label", new() { HasText = "7d" }).ClickAsync();
        await Expect(Cell(page, External, "runs")).ToHaveAttributeAsync("data-value", "5");
        await Expect(Cell(page, "nightly-report", "runs")).ToHaveAttributeAsync("data-value", "1");
        await ExpectOverviewMatchesApiAsync(page, "7d");
        Assert.EndsWith("window=7d", page.Url, StringComparison.Ordinal);

        // Keyboard: the switch is a radio group, so the arrow key moves to 30d.
        await page.GetByRole(AriaRole.Radio, new() { Name = "7d" }).FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "30d" })).ToBeCheckedAsync();
        await Expect(Cell(page, External, "runs")).ToHaveAttributeAsync("data-value", "7");
        await ExpectOverviewMatchesApiAsync(page, "30d");
        await Expect(Cell(page, External, "success_rate").Locator(".num")).ToHaveTextAsync("71.4%");

        // The agent page follows the same window.
        await Row(page, External).GetByRole(AriaRole.Link).ClickAsync();
        var stats = (await Api.GetNodeAsync($"/api/agents/{External}/stats?window=30d"))["stats"]!["window"]!;
        await Expect(page.Locator(".stat[data-field='runs']")).ToHaveAttributeAsync("data-value", LedgerData.Raw(stats["runs"]));
        await Expect(page.Locator(".stat[data-field='success_rate'] .stat-value")).ToHaveTextAsync(LedgerData.Percent(stats["success_rate"]));
        await Expect(page.Locator(".stat[data-field='p95']")).ToHaveAttributeAsync("data-value", LedgerData.Raw(stats["duration_ms"]!["p95"]));
        Assert.Equal(1, await session.NavigationCountAsync());
        session.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task Run_now_asks_for_the_key_once_creates_an_execution_and_updates_the_row_without_a_reload()
    {
        await using var session = await OpenAsync();
        var page = session.Page;
        await session.GotoAsync("/");
        await Expect(Cell(page, "scripted-b", "runs")).ToHaveAttributeAsync("data-value", "0");
        await page.EvaluateAsync("window.__marker = 'same document'");

        await Row(page, "scripted-b").GetByRole(AriaRole.Button, new() { Name = "Run scripted-b now" }).ClickAsync();
        var dialog = page.Locator("#key-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.GetByLabel("API key", new() { Exact = true }).FillAsync(LedgerFactory.ApiKey);
        await dialog.GetByLabel("Your name").FillAsync("Sam");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Use this key" }).ClickAsync();

        await Expect(Cell(page, "scripted-b", "runs")).ToHaveAttributeAsync("data-value", "1");
        await Expect(Cell(page, "scripted-b", "last_run").Locator(".badge")).ToHaveTextAsync("Success");
        var executions = (await Api.GetNodeAsync("/api/agents/scripted-b/executions"))["items"]!.AsArray();
        var execution = Assert.Single(executions)!;
        Assert.Equal("manual", (string?)execution["trigger"]);
        Assert.Equal("success", (string?)execution["status"]);
        await Expect(page.Locator("#key-state")).ToHaveTextAsync("bootstrap · admin · as Sam");

        // A second run uses the kept key: no second prompt.
        await Row(page, "scripted-b").GetByRole(AriaRole.Button, new() { Name = "Run scripted-b now" }).ClickAsync();
        await Expect(Cell(page, "scripted-b", "runs")).ToHaveAttributeAsync("data-value", "2");
        await Expect(dialog).ToBeHiddenAsync();

        Assert.Equal("same document", await page.EvaluateAsync<string>("window.__marker"));
        Assert.Equal(1, await session.NavigationCountAsync());
        session.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task Disabling_an_agent_in_the_ui_persists()
    {
        await using var session = await OpenAsync(LedgerFactory.ApiKey);
        var page = session.Page;
        await session.GotoAsync("/");
        var toggle = page.GetByRole(AriaRole.Switch, new() { Name = "Enabled: scripted-b" });
        await Expect(toggle).ToBeCheckedAsync();

        await toggle.ClickAsync();
        await Expect(page.Locator(".toast", new() { HasText = "scripted-b disabled." })).ToBeVisibleAsync();
        Assert.False((bool)(await Api.GetNodeAsync("/api/agents/scripted-b/settings"))["enabled"]!);
        Assert.False((bool)(await Api.GetNodeAsync("/api/agents/scripted-b"))["enabled"]!);
        await Expect(Cell(page, "scripted-b", "next_run")).ToHaveTextAsync("disabled");

        // Run now on a disabled agent asks first, then runs it once (force=true).
        await Row(page, "scripted-b").GetByRole(AriaRole.Button, new() { Name = "Run scripted-b now" }).ClickAsync();
        var confirm = page.Locator("#confirm-dialog");
        await Expect(confirm).ToContainTextAsync("scripted-b is disabled");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Run once" }).ClickAsync();
        await Expect(Cell(page, "scripted-b", "runs")).ToHaveAttributeAsync("data-value", "1");

        await page.ReloadAsync();
        await Expect(Cell(page, "scripted-b", "runs")).ToHaveAttributeAsync("data-value", "1");
        await Expect(page.GetByRole(AriaRole.Switch, new() { Name = "Enabled: scripted-b" })).Not.ToBeCheckedAsync();
        await Expect(page.GetByRole(AriaRole.Switch, new() { Name = "Enabled: scripted", Exact = true })).ToBeCheckedAsync();
        session.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task Approving_a_proposal_changes_its_status_and_the_approval_rate()
    {
        await SeedAsync();
        await using var session = await OpenAsync(LedgerFactory.ApiKey);
        var page = session.Page;
        await session.GotoAsync("/#/proposals");

        // Pending first: the awaiting-review section holds exactly the pending ones.
        var pending = page.Locator(".proposal-section").First;
        await Expect(pending.GetByRole(AriaRole.Heading, new() { Name = "Awaiting review" })).ToBeVisibleAsync();
        await Expect(pending.Locator("article.proposal")).ToHaveCountAsync(2);
        await Expect(page.Locator("article.proposal[data-status='approved']")).ToHaveCountAsync(2);

        // A title made of markup is shown as text, and nothing of it runs.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = LedgerData.HostileMarkup, Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("img[src='x']")).ToHaveCountAsync(0);

        var card = page.Locator("article.proposal", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Soup for Cem" }) });
        await card.GetByLabel("Reason").FillAsync("Cem confirmed by phone");
        await card.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(card).ToHaveAttributeAsync("data-status", "approved");
        await Expect(card.Locator(".badge")).ToHaveTextAsync("Approved");
        await Expect(card.Locator(".decision")).ToContainTextAsync("Cem confirmed by phone");

        var decided = await Api.ProposalAsync("Soup for Cem");
        Assert.Equal("approved", (string?)decided["status"]);
        Assert.Equal("Cem confirmed by phone", (string?)decided["decision_reason"]);

        // Approved 2 of 3 decided in 24 h now; the overview shows the API's new rate.
        var window = (await Api.GetNodeAsync($"/api/agents/{External}/stats?window=24h"))["stats"]!["window"]!;
        Assert.Equal(2.0 / 3.0, (double)window["approval_rate"]!, 9);
        await page.GetByRole(AriaRole.Link, new() { Name = "Agents", Exact = true }).ClickAsync();
        await Expect(Cell(page, External, "approval_rate")).ToHaveAttributeAsync("data-value", LedgerData.Raw(window["approval_rate"]));
        await Expect(Cell(page, External, "approval_rate").Locator(".num")).ToHaveTextAsync("66.7%");

        // The status filter: rejected ones only.
        await session.GotoAsync("/#/proposals?status=rejected");
        await Expect(page.Locator("article.proposal")).ToHaveCountAsync(1);
        await Expect(page.Locator("article.proposal h3")).ToHaveTextAsync("Bread for Ben");
        session.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task A_failed_runs_error_is_visible_on_the_agent_page_as_text()
    {
        var message = $"boom {LedgerData.HostileMarkup}";
        (await Api.SetConfigAsync("scripted", new { config = new { outcome = "fail", message } })).EnsureSuccessStatusCode();
        var run = await Api.PostExpectAsync("/api/agents/scripted/run?wait=true", new { }, 200);
        Assert.Equal("failed", (string?)run["status"]);
        await using var session = await OpenAsync();
        var page = session.Page;
        await session.GotoAsync("/");

        var error = Cell(page, "scripted", "last_error").GetByRole(AriaRole.Button);
        await Expect(error).ToHaveTextAsync(message);
        await error.ClickAsync();
        await Expect(error).ToHaveAttributeAsync("aria-expanded", "true");

        await Row(page, "scripted").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.Locator(".error-panel [data-field='last_error']")).ToHaveTextAsync(message);
        await Expect(page.Locator(".error-panel")).ToContainTextAsync("InvalidOperationException");
        var row = page.Locator($"tr[data-execution='{run["id"]}']");
        await Expect(row.Locator("[data-field='error']")).ToContainTextAsync(message);
        await row.GetByRole(AriaRole.Button, new() { Name = "Details" }).ClickAsync();
        var details = page.Locator($"#exec-{run["id"]}");
        await Expect(details.Locator("pre.error-message")).ToHaveTextAsync(message);
        await Expect(details).ToContainTextAsync("This run created no proposals.");

        // The status filter narrows the table to failed runs.
        await page.GetByLabel("Status").SelectOptionAsync("success");
        await Expect(page.Locator("tr.exec-row")).ToHaveCountAsync(0);
        await page.GetByLabel("Status").SelectOptionAsync("failed");
        await Expect(page.Locator("tr.exec-row")).ToHaveCountAsync(1);

        await Expect(page.Locator("img[src='x']")).ToHaveCountAsync(0);
        session.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task The_executions_table_pages_with_the_apis_cursor()
    {
        var start = DateTimeOffset.UtcNow.AddHours(-2);
        for (var i = 0; i < 23; i++)
        {
            await Api.ReportRunAsync("pager", start.AddMinutes(i), i == 0 ? "failed" : "success", errorType: i == 0 ? "Oops" : null);
        }
        await using var session = await OpenAsync();
        var page = session.Page;
        await session.GotoAsync("/#/agents/pager");
        var rows = page.Locator("tr.exec-row");
        await Expect(rows).ToHaveCountAsync(20);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "← Newer" })).ToBeDisabledAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Older →" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(page.Locator(".pager")).ToContainTextAsync("Page 2");
        await Expect(rows.Last.Locator("[data-field='error']")).ToContainTextAsync("Oops");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Older →" })).ToBeDisabledAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "← Newer" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(20);
        var newest = (await Api.GetNodeAsync("/api/agents/pager/executions?limit=1"))["items"]![0]!["id"]!;
        await Expect(rows.First).ToHaveAttributeAsync("data-execution", (string)newest!);
        session.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task The_settings_form_shows_the_apis_validation_messages_and_saves_valid_changes()
    {
        await using var session = await OpenAsync(LedgerFactory.ApiKey);
        session.ExpectFailedRequests(422);
        var page = session.Page;
        await session.GotoAsync("/#/agents/scripted");
        var interval = page.GetByLabel("Interval (seconds)");
        await Expect(interval).ToHaveValueAsync("3600");

        await interval.FillAsync("0");
        await page.GetByLabel("Config (JSON object)").FillAsync("""{"outcome": "explode"}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.Locator("#set-interval-error")).ToHaveTextAsync("must be between 1 and 2592000");
        await Expect(interval).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#set-config-error")).ToContainTextAsync("outcome: must be one of success, fail, block, hang");
        await Expect(page.Locator(".form-error")).ToContainTextAsync("The settings are invalid; the previous settings are kept.");
        var kept = await Api.GetNodeAsync("/api/agents/scripted/settings");
        Assert.Equal(3600, (int)kept["interval_seconds"]!);
        Assert.Equal(0, (int)kept["version"]!);

        await interval.FillAsync("120");
        await page.GetByLabel("Config (JSON object)").FillAsync("""{"proposals": 2}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.Locator(".toast", new() { HasText = "Settings of scripted saved." })).ToBeVisibleAsync();
        await Expect(page.Locator("#set-interval-error")).ToBeEmptyAsync();
        var saved = await Api.GetNodeAsync("/api/agents/scripted/settings");
        Assert.Equal(120, (int)saved["interval_seconds"]!);
        Assert.Equal(2, (int)saved["config"]!["proposals"]!);
        await Expect(page.Locator(".agent-meta")).ToContainTextAsync("every 2 min");
        session.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task A_refused_key_is_forgotten_and_asked_for_again()
    {
        await using var session = await OpenAsync();
        session.ExpectFailedRequests(401);
        var page = session.Page;
        await session.GotoAsync("/");
        var dialog = page.Locator("#key-dialog");

        await page.GetByRole(AriaRole.Switch, new() { Name = "Enabled: idle" }).ClickAsync();
        await dialog.GetByLabel("API key", new() { Exact = true }).FillAsync("not-the-key");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Use this key" }).ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.Locator("#key-reason")).ToContainTextAsync("The API key is not valid.");
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('agentledger.key')"));

        // Enter in the field uses the key (the form's default button is "use", not "cancel").
        await dialog.GetByLabel("API key", new() { Exact = true }).FillAsync(LedgerFactory.ApiKey);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".toast", new() { HasText = "idle disabled." })).ToBeVisibleAsync();
        Assert.False((bool)(await Api.GetNodeAsync("/api/agents/idle/settings"))["enabled"]!);
        Assert.Equal(LedgerFactory.ApiKey, await page.EvaluateAsync<string?>("sessionStorage.getItem('agentledger.key')"));
        session.AssertNoConsoleErrors();
    }
}
