using Microsoft.Playwright;

namespace AgentLedger.Tests.Browser;

/// <summary>
/// One headless Chromium (Debian's, not a Playwright download) shared by the browser tests; each
/// test gets its own browser context, so no cookies or storage leak between tests.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Every wait in a browser test is bounded by this.</summary>
    public const int TimeoutMs = 15_000;

    private static readonly string[] LaunchArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>
    /// Why the browser tests are skipped, or null when they run: only a developer machine without
    /// Chromium skips them. In CI (CI set) a missing Chromium is a failure, not a silent skip.
    /// </summary>
    public static string? SkipReason =>
        File.Exists(ChromiumPath) || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
            ? null
            : $"{ChromiumPath} is missing (apt-get install chromium); the browser tests always run in CI.";

    public IBrowser Browser => _browser ?? throw new InvalidOperationException(
        $"The browser tests need Chromium at {ChromiumPath} (apt-get install chromium); scripts/test.sh installs it when run as root.");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            return; // skipped, or (in CI) failed by Browser with a clear message
        }
        Assertions.SetDefaultExpectTimeout(TimeoutMs);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = LaunchArgs,
            Timeout = 30_000,
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}

/// <summary>
/// The browser tests run one at a time and apart from the rest of the suite: a 2-core machine
/// shared with Chromium keeps their timings steady.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}

/// <summary>A browser test, bounded to 30 s, skipped only when <see cref="BrowserFixture.SkipReason"/> says so.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        Timeout = 30_000;
        if (BrowserFixture.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
