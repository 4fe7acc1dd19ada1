using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgentLedger.Tests.Browser;

/// <summary>
/// The alerts lists of the overview and the agent page, in headless Chromium against a real host
/// whose alert service judges health every 0.2 s of real time: the alerts are raised by runs
/// reported through the API, and their webhooks go to real HTTP listeners.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class AlertsViewTests(BrowserFixture browser) : IDisposable
{
    private readonly DashboardHost _host = new(settings: new Dictionary<string, string?>
    {
        ["AgentLedger:Alerts:CheckSeconds"] = "0.2",
        // A webhook answered with a 5xx stays pending (1 attempt) for the whole test.
        ["AgentLedger:Alerts:FirstRetrySeconds"] = "600",
    });

    public void Dispose() => _host.Dispose();

    private HttpClient Api => _host.Api;

    private static ILocator Rows(ILocator section) => section.Locator("tbody tr[data-alert]");

    /// <summary>Now, to the second, ten minutes ago: the runs of a test are reported in order from there.</summary>
    private static DateTimeOffset Start() => DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).AddMinutes(-10);

    [GeneratedRegex(@"^(just now|\d+ s ago)$")]
    private static partial Regex Recent();

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"Not within 10 s: {what}.");
    }

    /// <summary>The alert service has judged the agent once (healthy: no alert), so its next change is one.</summary>
    private Task JudgedAsync(params string[] agents) => WaitUntilAsync(
        () => Task.FromResult(agents.All(a => _host.Database.Scalar($"SELECT COUNT(*) FROM agent_health WHERE agent_name = '{a}'") == 1)),
        $"{string.Join(", ", agents)} judged");

    /// <summary>GET /api/alerts (of one agent) once it holds <paramref name="count"/> alerts whose deliveries are done with.</summary>
    private async Task<JsonArray> AlertsAsync(string? agent, int count)
    {
        JsonArray items = [];
        await WaitUntilAsync(async () =>
        {
            items = (await Api.GetNodeAsync(agent is null ? "/api/alerts" : $"/api/alerts?agent={agent}"))["items"]!.AsArray();
            return items.Count == count && items.All(a => (string?)a!["delivery"]!["status"] != "pending" || (int)a["delivery"]!["attempts"]! > 0);
        }, $"{count} alerts of {agent ?? "every agent"}");
        return items;
    }

    /// <summary>Three failures in a row after <paramref name="from"/>: the agent is failing.</summary>
    private async Task FailThreeTimesAsync(string agent, DateTimeOffset from)
    {
        for (var i = 1; i <= 3; i++)
        {
            await Api.ReportRunAsync(agent, from.AddSeconds(10 * i), "failed", 1, "HttpRequestException", $"offers API returned 502 (request {i})");
        }
    }

    /// <summary>One row against the API's alert: time, agent, the change in health pills, the reason, the webhook's outcome.</summary>
    private static async Task ExpectRowAsync(ILocator row, JsonNode alert, bool withAgent, string? previous, string health, string delivery)
    {
        var agent = (string)alert["agent_name"]!;
        Assert.Equal((previous, health), ((string?)alert["previous_health"], (string?)alert["health"]));
        Assert.Equal(delivery, (string?)alert["delivery"]!["status"]);
        await Expect(row).ToHaveAttributeAsync("data-alert", (string)alert["id"]!);
        await Expect(row).ToHaveAttributeAsync("data-agent", agent);

        var time = row.Locator("th[scope='row'][data-field='raised_at'] time");
        await Expect(time).ToHaveAttributeAsync("datetime", (string)alert["raised_at"]!);
        await Expect(time).ToHaveAttributeAsync("title", (string)alert["raised_at"]!);
        await Expect(time).ToHaveTextAsync(Recent());

        var agentCell = row.Locator("[data-field='agent_name']");
        if (withAgent)
        {
            var link = agentCell.Locator("a.agent-link");
            await Expect(link).ToHaveTextAsync(agent);
            await Expect(link).ToHaveAttributeAsync("href", $"#/agents/{agent}");
        }
        else
        {
            await Expect(agentCell).ToHaveCountAsync(0);
        }

        var pills = row.Locator("[data-field='health'] .health");
        await Expect(pills).ToHaveTextAsync(previous is null ? [health] : [previous, health]);
        await Expect(pills.Last).ToHaveClassAsync($"health health-{health}");
        if (previous is not null)
        {
            await Expect(pills.First).ToHaveClassAsync($"health health-{previous}");
        }
        await Expect(row.Locator("[data-field='health'] .alert-arrow")).ToHaveTextAsync("→");

        var reason = row.Locator("[data-field='health_reason'] .alert-reason");
        await Expect(reason).ToHaveTextAsync((string)alert["health_reason"]!);
        await Expect(reason).ToHaveAttributeAsync("title", (string)alert["health_reason"]!);

        var status = row.Locator("[data-field='delivery'] .delivery");
        await Expect(status).ToHaveAttributeAsync("data-status", delivery);
        var d = alert["delivery"]!;
        switch (delivery)
        {
            case "delivered":
                await Expect(status).ToHaveTextAsync("delivered");
                await Expect(status).ToHaveAttributeAsync("title", new Regex($"^Delivered .+ · 1 attempt to {Regex.Escape((string)d["target"]!)}$"));
                break;
            case "pending":
                await Expect(status).ToHaveTextAsync($"pending, {(int)d["attempts"]!} attempt");
                await Expect(status).ToHaveAttributeAsync("title", new Regex($"^Next attempt .+{Regex.Escape((string)d["last_error"]!)}$"));
                break;
            case "failed":
                await Expect(status).ToHaveTextAsync("failed");
                await Expect(status).ToHaveAttributeAsync("title", new Regex($"^Last error: {Regex.Escape((string)d["last_error"]!)} · "));
                break;
            default:
                await Expect(status).ToHaveTextAsync("no webhook");
                break;
        }
    }

    [BrowserFact]
    public async Task Health_changes_appear_newest_first_on_the_overview_and_the_agent_page_by_polling()
    {
        const string agent = "alerting-importer";
        await using var receiver = await WebhookReceiver.StartAsync(TimeProvider.System);
        var start = Start();
        await Api.ReportRunAsync(agent, start, "success");
        (await Api.SetConfigAsync(agent, new { config = new { alert_webhook_url = receiver.Url } })).EnsureSuccessStatusCode();
        await JudgedAsync(agent);
        Assert.Empty(await AlertsAsync(null, 0));

        await using var session = await DashboardSession.OpenAsync(browser.Browser, _host.Address);
        var page = session.Page;
        await session.GotoAsync("/");
        var section = page.Locator("section#recent-alerts");
        await Expect(section.GetByRole(AriaRole.Heading, new() { Name = "Recent alerts" })).ToBeVisibleAsync();
        await Expect(section.Locator("p.empty")).ToHaveTextAsync("No health changes yet.");
        await Expect(Rows(section)).ToHaveCountAsync(0);

        // Three failures: failing, and the webhook delivered. The page's next poll shows it.
        await FailThreeTimesAsync(agent, start);
        var failing = Assert.Single(await AlertsAsync(null, 1))!;
        await Expect(Rows(section)).ToHaveCountAsync(1);
        await Expect(section.Locator("p.empty")).ToHaveCountAsync(0);
        await ExpectRowAsync(Rows(section).First, failing, withAgent: true, "ok", "failing", "delivered");
        Assert.Contains("The last 3 runs failed", (string?)failing["health_reason"]);
        Assert.Contains("offers API returned 502 (request 3)", (string?)failing["health_reason"]);

        // A success: ok again, on top of the list.
        await Api.ReportRunAsync(agent, start.AddMinutes(5), "success");
        var both = await AlertsAsync(null, 2);
        Assert.Equal((string?)failing["id"], (string?)both[1]!["id"]);
        await Expect(Rows(section)).ToHaveCountAsync(2);
        await ExpectRowAsync(Rows(section).Nth(0), both[0]!, withAgent: true, "failing", "ok", "delivered");
        await ExpectRowAsync(Rows(section).Nth(1), both[1]!, withAgent: true, "ok", "failing", "delivered");
        Assert.Equal(2, receiver.Requests.Count);
        // Headers for assistive technology, as in the other tables.
        await Expect(section.Locator("thead th[scope='col']")).ToHaveTextAsync(["Raised", "Agent", "Change", "Reason", "Webhook"]);
        await Expect(section.Locator("caption")).ToHaveTextAsync("The latest changes of agents’ health, newest first");
        Assert.Equal(1, await session.NavigationCountAsync());

        // The agent's link opens its page, whose own section lists the same two changes.
        await Rows(section).First.GetByRole(AriaRole.Link, new() { Name = agent }).ClickAsync();
        var own = page.Locator("section#agent-alerts");
        await Expect(own.GetByRole(AriaRole.Heading, new() { Name = "Alerts" })).ToBeVisibleAsync();
        await Expect(Rows(own)).ToHaveCountAsync(2);
        var mine = await AlertsAsync(agent, 2);
        Assert.Equal(both.Select(a => (string?)a!["id"]), mine.Select(a => (string?)a!["id"]));
        await ExpectRowAsync(Rows(own).Nth(0), mine[0]!, withAgent: false, "failing", "ok", "delivered");
        await ExpectRowAsync(Rows(own).Nth(1), mine[1]!, withAgent: false, "ok", "failing", "delivered");
        await Expect(own.Locator("thead th[scope='col']")).ToHaveTextAsync(["Raised", "Change", "Reason", "Webhook"]);

        // Failing again while the page is open: its next poll adds the change on top.
        await FailThreeTimesAsync(agent, start.AddMinutes(6));
        var three = await AlertsAsync(agent, 3);
        await Expect(Rows(own)).ToHaveCountAsync(3);
        await ExpectRowAsync(Rows(own).Nth(0), three[0]!, withAgent: false, "ok", "failing", "delivered");
        await Expect(Rows(own).Nth(1)).ToHaveAttributeAsync("data-alert", (string)mine[0]!["id"]!);
        Assert.Equal(1, await session.NavigationCountAsync());
        session.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task Each_alert_shows_how_its_webhook_went_and_an_agent_page_only_its_own()
    {
        await using var refusing = await WebhookReceiver.StartAsync(TimeProvider.System, 404);
        await using var unavailable = await WebhookReceiver.StartAsync(TimeProvider.System, 503);
        string[] agents = ["quiet-agent", "refused-agent", "retried-agent"];
        var start = Start();
        foreach (var agent in agents)
        {
            await Api.ReportRunAsync(agent, start, "success");
        }
        (await Api.SetConfigAsync("refused-agent", new { config = new { alert_webhook_url = refusing.Url } })).EnsureSuccessStatusCode();
        (await Api.SetConfigAsync("retried-agent", new { config = new { alert_webhook_url = unavailable.Url } })).EnsureSuccessStatusCode();
        await JudgedAsync(agents);
        // One after the other, so the newest-first order is known.
        for (var i = 0; i < agents.Length; i++)
        {
            await FailThreeTimesAsync(agents[i], start);
            await AlertsAsync(null, i + 1);
        }
        var alerts = await AlertsAsync(null, 3);
        Assert.Equal(["retried-agent", "refused-agent", "quiet-agent"], alerts.Select(a => (string?)a!["agent_name"]));

        await using var session = await DashboardSession.OpenAsync(browser.Browser, _host.Address);
        var page = session.Page;
        await session.GotoAsync("/");
        var section = page.Locator("section#recent-alerts");
        await Expect(Rows(section)).ToHaveCountAsync(3);
        await ExpectRowAsync(Rows(section).Nth(0), alerts[0]!, withAgent: true, "ok", "failing", "pending");
        await ExpectRowAsync(Rows(section).Nth(1), alerts[1]!, withAgent: true, "ok", "failing", "failed");
        await ExpectRowAsync(Rows(section).Nth(2), alerts[2]!, withAgent: true, "ok", "failing", "none");

        // An agent's page lists its own alert only; one without any says so.
        await session.GotoAsync("/#/agents/refused-agent");
        var own = page.Locator("section#agent-alerts");
        await Expect(Rows(own)).ToHaveCountAsync(1);
        await ExpectRowAsync(Rows(own).First, alerts[1]!, withAgent: false, "ok", "failing", "failed");
        await session.GotoAsync("/#/agents/scripted");
        await Expect(own.Locator("p.empty")).ToHaveTextAsync("No health changes yet.");
        await Expect(Rows(own)).ToHaveCountAsync(0);
        session.AssertNoConsoleErrors();
    }
}
