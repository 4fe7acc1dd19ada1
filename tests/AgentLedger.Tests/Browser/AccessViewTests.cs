using System.Text.RegularExpressions;
using AgentLedger.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgentLedger.Tests.Browser;

/// <summary>Who you are, what your role is offered, and the admin's Keys and Audit pages, in Chromium against a real host.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class AccessViewTests(BrowserFixture browser) : IDisposable
{
    private readonly DashboardHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Keys_are_created_shown_once_and_revoked_and_each_role_is_offered_only_what_it_may_do()
    {
        await _host.Api.ReportRunAsync("py-matchmaker", DateTimeOffset.UtcNow.AddHours(-1), "success", proposalTitles: ["Ladder for Ana"]);

        await using var admin = await DashboardSession.OpenAsync(browser.Browser, _host.Address, apiKey: LedgerFactory.ApiKey);
        var page = admin.Page;
        await admin.GotoAsync("/#/keys");
        await Expect(page.GetByTestId("whoami")).ToHaveTextAsync(new Regex("^bootstrap · admin"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Keys" })).ToBeVisibleAsync();

        var viewerKey = await CreateAsync(page, "viewer", "read");
        var aliceKey = await CreateAsync(page, "alice", "review");
        var keys = (await _host.Api.GetNodeAsync("/api/keys"))["items"]!.AsArray();
        Assert.Equal(["alice", "viewer"], keys.Select(k => (string)k!["name"]!));
        await Expect(page.Locator("#keys-table tr[data-name='viewer'] [data-field='role']")).ToHaveTextAsync("read");

        // A read key: no Keys page link, no run, no decisions.
        await using (var viewer = await DashboardSession.OpenAsync(browser.Browser, _host.Address, apiKey: viewerKey))
        {
            await viewer.GotoAsync("/#/");
            await Expect(viewer.Page.GetByTestId("whoami")).ToHaveTextAsync(new Regex("^viewer · read"));
            await Expect(viewer.Page.Locator("#agents-table tr[data-agent='scripted']")).ToBeVisibleAsync();
            await Expect(viewer.Page.GetByRole(AriaRole.Link, new() { Name = "Keys" })).ToBeHiddenAsync();
            await Expect(viewer.Page.Locator("[data-action='run']:visible")).ToHaveCountAsync(0);
            await viewer.GotoAsync("/#/proposals");
            await Expect(viewer.Page.Locator("article.proposal")).ToHaveCountAsync(1);
            await Expect(viewer.Page.Locator("[data-action='approve']:visible")).ToHaveCountAsync(0);
            viewer.AssertNoConsoleErrors();
        }

        // A review key decides; the decision shows the key's name beside the name typed in.
        await using (var alice = await DashboardSession.OpenAsync(browser.Browser, _host.Address, apiKey: aliceKey))
        {
            await alice.GotoAsync("/#/proposals");
            await Expect(alice.Page.GetByTestId("whoami")).ToHaveTextAsync(new Regex("^alice · review"));
            var card = alice.Page.Locator("article.proposal").First;
            await card.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
            await Expect(card.Locator(".decision")).ToContainTextAsync("(key alice)");
            await Expect(alice.Page.Locator("[data-action='run']:visible")).ToHaveCountAsync(0);
            alice.AssertNoConsoleErrors();
        }

        // Revoking from the Keys page refuses the key at once.
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke viewer" }).ClickAsync();
        var confirm = page.Locator("#confirm-dialog");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(page.Locator("#keys-table tr[data-name='viewer'] [data-field='revoked_at'] time")).ToHaveCountAsync(1);
        using var revoked = new HttpClient { BaseAddress = _host.Address };
        revoked.DefaultRequestHeaders.Add("X-Api-Key", viewerKey);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await revoked.GetAsync("/api/auth/whoami")).StatusCode);

        // The audit page lists what happened, with the key that did it.
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit" }).ClickAsync();
        await Expect(page.Locator("#audit-table tr[data-action='proposal.approve'] [data-field='key_name']")).ToHaveTextAsync("alice");
        await Expect(page.Locator("#audit-table tr[data-action='key.create']")).ToHaveCountAsync(2);
        await Expect(page.Locator("#audit-table tr[data-action='key.revoke']")).ToHaveCountAsync(1);
        await page.Locator("#audit-action").SelectOptionAsync("key.create");
        await Expect(page.Locator("#audit-table tbody tr")).ToHaveCountAsync(2);
        var text = await page.Locator("#audit-table").InnerTextAsync();
        Assert.DoesNotContain(aliceKey[21..], text, StringComparison.Ordinal);
        admin.AssertNoConsoleErrors();
    }

    private static async Task<string> CreateAsync(IPage page, string name, string role)
    {
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Role").SelectOptionAsync(role);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var shown = page.Locator("#key-new-value");
        await Expect(shown).ToHaveTextAsync(KeyPattern());
        await Expect(page.Locator("#key-created")).ToContainTextAsync($"“{name}”");
        await Expect(page.Locator($"#keys-table tr[data-name='{name}']")).ToHaveCountAsync(1);
        return (await shown.TextContentAsync())!;
    }

    [GeneratedRegex("^alk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$")]
    private static partial Regex KeyPattern();
}
