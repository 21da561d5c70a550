using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace IvvyWorkflows.Browser.Tests;

/// <summary>Debian's chromium driven by Playwright, one browser for the collection. Nothing is downloaded: the executable
/// is the system's (<see cref="ExecutablePath"/>; CI installs it with apt-get in .ci/run).</summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where every page's screenshot goes (artifacts/screenshots under the repository; printed once).</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(ConsoleHost.RepoRoot, "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new FileNotFoundException($"{ExecutablePath} is missing: apt-get install -y chromium (see .ci/run). Playwright's own browsers are never downloaded here.");
        }

        // Waits are on conditions; this is only how long a condition may take on a loaded machine before it fails.
        Assertions.SetDefaultExpectTimeout(30_000);
        Directory.CreateDirectory(ScreenshotDirectory);
        Console.WriteLine($"Browser tests: screenshots in {ScreenshotDirectory}");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Root (CI) cannot use chromium's sandbox.
            Args = ["--no-sandbox"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
    }

    /// <summary>A fresh browser context (its own cookies) at a window size; 1280×800 unless told.</summary>
    public Task<IBrowserContext> NewContextAsync(ConsoleHost host, int width = 1280, int height = 800) =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = host.Url.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-AU",
            TimezoneId = "Australia/Sydney",
        });

    /// <summary>Screenshot of the page as it stands, then axe-core on it: no serious or critical violation.</summary>
    public static async Task CheckPageAsync(IPage page, string name)
    {
        // The page as a person sees it once it has loaded: no "Loading …" state left.
        await Assertions.Expect(page.Locator(".state-loading")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
        AxeResult result = await page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(bad.Count == 0, $"axe-core on {name} ({page.Url}): " + string.Join("; ",
            bad.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")));
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<ChromiumFixture>
{
    public const string Name = "Browser";
}
