using AgentLedger.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace AgentLedger.Tests.Browser;

/// <summary>
/// Screenshots of the three pages at desktop and phone width, on the demo community with the
/// built-in agents' own runs and proposals, saved as test artifacts.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenshotTests(BrowserFixture browser, ITestOutputHelper output) : IDisposable
{
    private static readonly string[] BuiltIn = ["mutual-aid-matchmaker", "perishables-dispatcher", "work-party-scheduler", "commons-router", "conquest-of-bread"];
    private readonly DashboardHost _host = new(demo: true);

    public void Dispose() => _host.Dispose();

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    [BrowserFact]
    public async Task Overview_agent_and_proposals_pages_at_desktop_and_phone_width()
    {
        await SeedAsync();
        Directory.CreateDirectory(Folder);
        foreach (var (device, width, height) in new[] { ("desktop", 1280, 800), ("phone", 390, 844) })
        {
            await using var session = await DashboardSession.OpenAsync(browser.Browser, _host.Address, width, height);
            var page = session.Page;

            await session.GotoAsync("/");
            await Expect(page.Locator("#agents-table tr[data-agent='mutual-aid-matchmaker'] [data-field='runs']")).Not.ToHaveAttributeAsync("data-value", "0");
            await Expect(page.Locator("#agents-table tr[data-agent='field-survey'] svg.spark")).ToBeVisibleAsync();
            await SaveAsync(page, $"overview-{device}.png");

            await session.GotoAsync("/#/agents/field-survey?window=7d");
            await Expect(page.Locator("#runs-chart svg")).ToBeVisibleAsync();
            await Expect(page.Locator("tr.exec-row").First).ToBeVisibleAsync();
            await SaveAsync(page, $"agent-{device}.png");

            await session.GotoAsync("/#/proposals");
            await Expect(page.Locator("article.proposal").First).ToBeVisibleAsync();
            await SaveAsync(page, $"proposals-{device}.png");

            // Nothing at phone width may be wider than the screen (a table that only scrolls sideways is unreadable).
            if (device == "phone")
            {
                await session.GotoAsync("/");
                await Expect(page.Locator("#agents-table tr[data-agent]").First).ToBeVisibleAsync();
                Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the overview scrolls sideways at 390 px");
            }
            session.AssertNoConsoleErrors();
        }
        await using (var dark = await DashboardSession.OpenAsync(browser.Browser, _host.Address, colorScheme: ColorScheme.Dark))
        {
            await dark.GotoAsync("/");
            await Expect(dark.Page.Locator("#agents-table tr[data-agent='field-survey'] svg.spark")).ToBeVisibleAsync();
            // prefers-color-scheme: dark is honoured: the page background is the dark one.
            Assert.Equal("rgb(14, 17, 23)", await dark.Page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor"));
            await SaveAsync(dark.Page, "overview-desktop-dark.png");
            dark.AssertNoConsoleErrors();
        }
        output.WriteLine($"Screenshots: {Folder}");
        Console.WriteLine($"Dashboard screenshots: {Folder}");
    }

    private async Task SaveAsync(IPage page, string name)
    {
        var path = Path.Combine(Folder, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine(path);
    }

    /// <summary>
    /// The demo community, one run of each built-in agent (their real proposals), a week of an
    /// external agent's hourly reports with a few failures, and some decisions.
    /// </summary>
    private async Task SeedAsync()
    {
        var api = _host.Api;
        foreach (var agent in BuiltIn)
        {
            // The demo scheduler may be running it right now (409): its run counts just the same.
            var response = await api.PostAsync($"/api/agents/{agent}/run?wait=true", null);
            Assert.True(response.IsSuccessStatusCode || response.StatusCode == System.Net.HttpStatusCode.Conflict, $"{agent}: {(int)response.StatusCode}");
        }
        var now = DateTimeOffset.UtcNow;
        var random = new Random(7);
        for (var hoursAgo = 7 * 24; hoursAgo >= 1; hoursAgo--)
        {
            var failed = hoursAgo % 17 == 0 || hoursAgo == 1;
            await api.ReportRunAsync("field-survey", now.AddHours(-hoursAgo).AddMinutes(random.Next(0, 30)), failed ? "failed" : "success",
                seconds: 0.6 + random.NextDouble() * (hoursAgo % 24 < 8 ? 3.5 : 1.2),
                errorType: failed ? "TimeoutError" : null, errorMessage: failed ? "survey API did not answer within 30 s" : null,
                proposalTitles: hoursAgo % 12 == 0 ? [$"Survey the allotment plots, week {hoursAgo / 24 + 1}"] : null,
                metrics: new { forms_read = 40 + random.Next(0, 20) });
        }
        var proposals = (await api.GetNodeAsync("/api/proposals?status=pending&limit=500"))["items"]!.AsArray();
        for (var i = 0; i < Math.Min(8, proposals.Count); i++)
        {
            var decision = i % 4 == 3 ? "reject" : "approve";
            await api.PostExpectAsync($"/api/proposals/{proposals[i]!["id"]}/{decision}", new { decided_by = "sam", reason = decision == "approve" ? "Good fit." : "Already arranged." }, 200);
        }
    }
}
