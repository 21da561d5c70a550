using System.Net.Http.Json;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Sandbox.Ivvy;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IvvyWorkflows.Browser.Tests;

/// <summary>The operators' console in Chromium against the real host on the sandbox. Each scenario ends by asserting what
/// the simulators and the state store hold, not only what the page shows; every page it passes is screenshotted and
/// checked with axe-core.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsoleScenarioTests(ChromiumFixture chromium)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Operator_RunNowHubSpotRefusesThenResume_HubSpotHoldsEveryContactOnce()
    {
        // Latency makes the run take long enough to watch it move and to fault it halfway.
        // The defaults a user's serve has: this scenario's pages are the README's screenshots (docs/console.png).
        await using var host = await ConsoleHost.StartAsync(seedCount: 2000, latencyMs: 60, defaultSchedules: true);
        await using var context = await chromium.NewContextAsync(host);
        var page = await context.NewPageAsync();
        await SignInAsync(page, host.OperatorName, "01-sign-in");
        await ChromiumFixture.CheckPageAsync(page, "02-modules");

        await RunButton(page, "contacts").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/runs/[^/]+$"));
        var read = page.GetByTestId("counter-read");
        await Expect(read).Not.ToHaveTextAsync("0", new() { Timeout = 60_000 });
        var first = await read.TextContentAsync();
        await Expect(read).Not.ToHaveTextAsync(first!, new() { Timeout = 60_000 });
        await Expect(page.GetByRole(AriaRole.Progressbar)).ToBeVisibleAsync();
        await ChromiumFixture.CheckPageAsync(page, "03-run-detail-running");

        // HubSpot now refuses the token on every call, as a revoked private-app token would.
        using var http = new HttpClient { BaseAddress = host.Sandbox.HubSpotBaseUrl };
        (await http.PostAsJsonAsync("/__sandbox__/faults", new { status = 401, count = 1_000_000 })).EnsureSuccessStatusCode();

        var failure = page.GetByTestId("failure");
        // The engine's activity retries may run their course before the run is marked failed.
        await Expect(failure).ToBeVisibleAsync(new() { Timeout = (float)RunTimeout.TotalMilliseconds });
        await Expect(failure).ToContainTextAsync("HubSpot refused the access token");
        await Expect(failure).ToContainTextAsync("What to do");
        // The stage it stopped in (HubSpot is read by the two-way stream and written by the other) and the error's class.
        await Expect(page.GetByTestId("failure-stage")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(fetch|upsert)$"));
        await Expect(page.GetByTestId("failure-class")).ToHaveTextAsync("Config");
        var stored = (await host.Environment.Store.GetRunAsync(page.Url[(page.Url.LastIndexOf('/') + 1)..]))!.Failure;
        Assert.Equal("Config", stored?.ErrorClass);
        await ChromiumFixture.CheckPageAsync(page, "04-run-detail-failed");
        var runId = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        Assert.Equal(RunStatus.Failed, (await host.Environment.Store.GetRunAsync(runId))!.Status);
        Assert.InRange(await host.Sandbox.HubSpot.CountAsync("contacts"), 0, 1999);

        (await http.DeleteAsync("/__sandbox__/faults")).EnsureSuccessStatusCode();
        await page.GetByRole(AriaRole.Button, new() { Name = "Resume", Exact = true }).ClickAsync();
        await Expect(page.Locator(".page-header .badge").First).ToHaveTextAsync("Completed", new() { Timeout = (float)RunTimeout.TotalMilliseconds });
        await Expect(failure).ToHaveCountAsync(0);
        await ChromiumFixture.CheckPageAsync(page, "05-run-detail-completed");

        // The same run finished: every iVvy contact is in HubSpot exactly once.
        Assert.Equal(RunStatus.Completed, (await host.Environment.Store.GetRunAsync(runId))!.Status);
        var ivvyCount = await host.Sandbox.Ivvy.CountAsync(IvvyEntity.Contacts);
        var contacts = await host.Sandbox.HubSpot.AllAsync("contacts");
        var ivvyIds = contacts.Select(c => (string?)c["ivvy_contact_id"]).ToList();
        Assert.Equal(ivvyCount, contacts.Count);
        Assert.DoesNotContain(null, ivvyIds);
        Assert.Equal(ivvyIds.Count, ivvyIds.Distinct().Count());
        Assert.Equal(contacts.Count, contacts.Select(c => ((string?)c["email"])?.ToLowerInvariant()).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, ivvyCount).Select(i => i.ToString()).Order(), ivvyIds.Order()!);

        await NavLink(page, "Runs").ClickAsync();
        await Expect(page.Locator($"tr[data-run='{runId}']")).ToContainTextAsync("Completed");
        await ChromiumFixture.CheckPageAsync(page, "06-runs");
    }

    [Fact]
    public async Task Operator_QuarantinedBookingsFixedThenReplaySelectedThenAll_DealsLandInHubSpot()
    {
        await using var host = await ConsoleHost.StartAsync(seedCount: 200);
        await using var context = await chromium.NewContextAsync(host);
        var page = await context.NewPageAsync();
        await SignInAsync(page, host.OperatorName);
        var bookings = await host.Sandbox.Ivvy.CountAsync(IvvyEntity.Bookings);

        // Bookings before their contacts: none can be associated, so each waits in quarantine.
        await RunNowAsync(page, "bookings", new("^Completed with errors$"));
        await NavLink(page, "Quarantine").ClickAsync();
        await Expect(page.Locator("tr[data-record]")).ToHaveCountAsync(bookings);
        await Expect(page.Locator("tr[data-record]").First).ToContainTextAsync("has no pair in");
        var record = await page.Locator("tr[data-record]").First.GetAttributeAsync("data-record");
        await page.GetByRole(AriaRole.Button, new() { Name = $"View bookings/", Exact = false }).First.ClickAsync();
        await Expect(page.GetByLabel("Kept payload (JSON)")).ToContainTextAsync(record!);
        await ChromiumFixture.CheckPageAsync(page, "07-quarantine");

        // The fix: the contacts and companies the bookings point at are synced first, as the reason says.
        await RunNowAsync(page, "contacts", Finished);
        await RunNowAsync(page, "companies", Finished);
        Assert.Equal(0, await host.Sandbox.HubSpot.CountAsync("deals"));

        // Replay one selected record, by keyboard: only it lands, the others stay quarantined.
        await NavLink(page, "Quarantine").ClickAsync();
        await page.GetByLabel("Module").SelectOptionAsync("bookings");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("module=bookings"));
        await Expect(page.Locator("tr[data-record]")).ToHaveCountAsync(bookings);
        var chosen = page.Locator($"tr[data-record='{record}']").GetByRole(AriaRole.Checkbox);
        await chosen.FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await Expect(chosen).ToBeCheckedAsync();
        var replaySelected = page.GetByRole(AriaRole.Button, new() { Name = "Replay selected (1)" });
        await replaySelected.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".notice")).ToContainTextAsync("Replaying 1 record.");
        await page.GetByRole(AriaRole.Link, new() { Name = "Follow run", Exact = false }).ClickAsync();
        await Expect(page.Locator(".page-header .badge").First).ToHaveTextAsync("Completed", new() { Timeout = (float)RunTimeout.TotalMilliseconds });
        // The run detail counts per stream: the one record read and created.
        await Expect(page.Locator("tr[data-stream] [data-counter='read']").First).ToHaveTextAsync("1");
        await Expect(page.Locator("tr[data-stream] [data-counter='created']").First).ToHaveTextAsync("1");
        await ChromiumFixture.CheckPageAsync(page, "07b-run-detail-replay-selected");
        Assert.Equal(1, await host.Sandbox.HubSpot.CountAsync("deals"));
        Assert.NotNull(await host.Sandbox.HubSpot.FindByPropertyAsync("deals", "ivvy_booking_id", record!));
        Assert.Equal(bookings - 1, (await host.Environment.Store.ListQuarantineAsync("bookings", limit: 10_000)).Count);
        Assert.DoesNotContain(await host.Environment.Store.ListQuarantineAsync("bookings", limit: 10_000), e => e.SourceId == record);

        // Replay all of the module's other records from the list filtered to it.
        await page.GotoAsync("/quarantine?module=bookings");
        await Expect(page.Locator("tr[data-record]")).ToHaveCountAsync(bookings - 1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Replay all of bookings" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToContainTextAsync("Replaying");
        await page.GetByRole(AriaRole.Link, new() { Name = "Follow run", Exact = false }).ClickAsync();
        await Expect(page.Locator(".page-header .badge").First).ToHaveTextAsync("Completed", new() { Timeout = (float)RunTimeout.TotalMilliseconds });
        await page.GotoAsync("/quarantine");
        await Expect(page.GetByText("Nothing is quarantined.")).ToBeVisibleAsync();
        await ChromiumFixture.CheckPageAsync(page, "08-quarantine-empty");

        Assert.Equal(bookings, await host.Sandbox.HubSpot.CountAsync("deals"));
        Assert.NotNull(await host.Sandbox.HubSpot.FindByPropertyAsync("deals", "ivvy_booking_id", record!));
        Assert.Empty(await host.Environment.Store.ListQuarantineAsync("bookings"));

        await NavLink(page, "Conflicts").ClickAsync();
        await Expect(page.GetByText("No conflicts.")).ToBeVisibleAsync();
        await ChromiumFixture.CheckPageAsync(page, "09-conflicts");
    }

    [Fact]
    public async Task BusinessUser_RunningRun_NoTerminateButtonAndApiAnswers403()
    {
        await using var host = await ConsoleHost.StartAsync(seedCount: 1000, latencyMs: 40);
        await using var context = await chromium.NewContextAsync(host);
        var page = await context.NewPageAsync();
        var loaded = host.Environment.Catalog.Load("contacts");
        var run = await host.Environment.Runs.StartAsync(loaded, dryRun: false, replay: false, CancellationToken.None);

        await SignInAsync(page, host.BusinessUserName);
        await page.GotoAsync($"/runs/{run.RunId}");
        await Expect(page.Locator(".page-header .badge").First).ToHaveTextAsync("Running");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Terminate" })).ToHaveCountAsync(0);
        await page.GotoAsync("/modules");
        await Expect(page.Locator("tr[data-module='contacts']")).ToBeVisibleAsync();
        await Expect(RunButton(page, "contacts")).ToHaveCountAsync(0);
        await ChromiumFixture.CheckPageAsync(page, "10-run-detail-business-user");

        // Straight to the API with the business user's own session and antiforgery token: refused, nothing changes.
        var session = await page.APIRequest.GetAsync("/api/auth/session");
        var token = (await session.JsonAsync())!.Value.GetProperty("antiforgeryToken").GetString()!;
        var refused = await page.APIRequest.PostAsync($"/api/runs/{run.RunId}/terminate", new() { Headers = new Dictionary<string, string> { ["X-XSRF-TOKEN"] = token } });
        Assert.Equal(403, refused.Status);

        using var timeout = new CancellationTokenSource(RunTimeout);
        var finished = await host.Environment.Runs.WaitAsync(run.RunId, cancellationToken: timeout.Token);
        Assert.Equal(RunStatus.Completed, finished.Status);
        Assert.Equal(await host.Sandbox.Ivvy.CountAsync(IvvyEntity.Contacts), await host.Sandbox.HubSpot.CountAsync("contacts"));
    }

    [Fact]
    public async Task NarrowWindow_EveryPage_MenuOpensAndAxePasses()
    {
        await using var host = await ConsoleHost.StartAsync(seedCount: 100);
        await using var context = await chromium.NewContextAsync(host, width: 390, height: 844);
        var page = await context.NewPageAsync();
        await SignInAsync(page, host.OperatorName, "11-narrow-sign-in");
        await RunNowAsync(page, "contacts", Finished);
        await ChromiumFixture.CheckPageAsync(page, "12-narrow-run-detail");

        foreach (var (link, name) in new[] { ("Modules", "13-narrow-modules"), ("Runs", "14-narrow-runs"), ("Quarantine", "15-narrow-quarantine"), ("Conflicts", "16-narrow-conflicts") })
        {
            // The navigation folds behind the menu button on a narrow window; the keyboard opens it.
            var menu = page.GetByRole(AriaRole.Button, new() { Name = "Menu" });
            await menu.FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await Expect(menu).ToHaveAttributeAsync("aria-expanded", "true");
            await NavLink(page, link).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(link);
            await ChromiumFixture.CheckPageAsync(page, name);
        }

        Assert.Equal(await host.Sandbox.Ivvy.CountAsync(IvvyEntity.Contacts), await host.Sandbox.HubSpot.CountAsync("contacts"));
    }

    private static async Task SignInAsync(IPage page, string userName, string? screenshot = null)
    {
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/sign-in"));
        await page.GetByLabel("User name").FillAsync(userName);
        await page.GetByLabel("Password").FillAsync(ConsoleHost.Password);
        if (screenshot is not null)
        {
            await ChromiumFixture.CheckPageAsync(page, screenshot);
        }

        await page.GetByLabel("Password").PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Modules", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("tr[data-module]").First).ToBeVisibleAsync();
    }

    /// <summary>Modules page → Run now on the module → its run page, until the run has completed.</summary>
    /// <summary>A link of the main navigation (a page may have another link of the same name, e.g. the breadcrumb).</summary>
    private static ILocator NavLink(IPage page, string name) =>
        page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = name, Exact = true });

    private static ILocator RunButton(IPage page, string module) =>
        page.Locator($"tr[data-module='{module}']").GetByRole(AriaRole.Button, new() { Name = "Run", Exact = false });

    /// <summary>A run that read its whole window: Completed, or CompletedWithErrors when it quarantined records.</summary>
    private static readonly System.Text.RegularExpressions.Regex Finished = new("^Completed( with errors)?$");

    private static async Task RunNowAsync(IPage page, string module, System.Text.RegularExpressions.Regex? status = null)
    {
        if (!page.Url.EndsWith("/modules", StringComparison.Ordinal))
        {
            await page.GotoAsync("/modules");
        }

        await RunButton(page, module).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/runs/[^/]+$"));
        await Expect(page.Locator(".page-header .badge").First).ToHaveTextAsync(status ?? new("^Completed$"), new() { Timeout = (float)RunTimeout.TotalMilliseconds });
    }
}
