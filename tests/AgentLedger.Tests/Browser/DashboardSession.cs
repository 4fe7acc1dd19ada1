using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace AgentLedger.Tests.Browser;

/// <summary>
/// One browser context and page on the dashboard that records every console error, uncaught
/// page error and native dialog (an <c>alert</c> from injected markup would be one).
/// </summary>
public sealed class DashboardSession : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly HashSet<int> _expectedStatuses = [];

    private DashboardSession(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _errors.Enqueue($"console: {message.Text}");
            }
        };
        page.PageError += (_, error) => _errors.Enqueue($"page error: {error}");
        page.Dialog += (_, dialog) =>
        {
            _errors.Enqueue($"native dialog ({dialog.Type}): {dialog.Message}");
            _ = dialog.DismissAsync();
        };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>Opens a page; with <paramref name="apiKey"/> the tab starts with the key already entered.</summary>
    public static async Task<DashboardSession> OpenAsync(
        IBrowser browser, Uri address, int width = 1280, int height = 800, string? apiKey = null, ColorScheme colorScheme = ColorScheme.Light)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = address.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-GB",
            TimezoneId = "UTC",
            ColorScheme = colorScheme,
        });
        context.SetDefaultTimeout(BrowserFixture.TimeoutMs);
        context.SetDefaultNavigationTimeout(BrowserFixture.TimeoutMs);
        if (apiKey is not null)
        {
            await context.AddInitScriptAsync($"sessionStorage.setItem('agentledger.key', {JsonSerializer.Serialize(apiKey)});");
        }
        return new DashboardSession(context, await context.NewPageAsync());
    }

    public async Task GotoAsync(string path)
    {
        // A change of the hash alone is a same-document navigation: no response.
        var response = await Page.GotoAsync(path);
        Assert.True(response is null || response.Ok, $"GET {path} -> {response?.Status}");
    }

    /// <summary>
    /// Chromium logs every non-2xx fetch as a console error; a test that provokes one on purpose
    /// (a 422, a 401) names it here, and any other error still fails the test.
    /// </summary>
    public void ExpectFailedRequests(int status) => _expectedStatuses.Add(status);

    public void AssertNoConsoleErrors()
    {
        var unexpected = _errors.Where(e => !_expectedStatuses.Any(s => e.Contains($"status of {s} ", StringComparison.Ordinal))).ToList();
        Assert.True(unexpected.Count == 0, "browser errors:\n" + string.Join('\n', unexpected));
    }

    /// <summary>How many documents this tab has loaded: 1 means every update happened without a reload.</summary>
    public Task<int> NavigationCountAsync() => Page.EvaluateAsync<int>("performance.getEntriesByType('navigation').length");

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}
