using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IvvyWorkflows.Browser.Tests;

/// <summary>Elsa Studio's editor (npm, served by the host) over our Elsa-compatible API, in Chromium.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ElsaStudioTests(ChromiumFixture chromium)
{
    [Fact]
    public async Task Integrator_OpensContactsInStudio_StagesShownEveryCallAnsweredNothingLeavesTheMachine()
    {
        await using var host = await ConsoleHost.StartAsync(seedCount: 0);
        await using var context = await chromium.NewContextAsync(host, 1400, 900);
        var outside = new ConcurrentBag<string>();
        var calls = new ConcurrentQueue<string>();
        var failed = new ConcurrentBag<string>();
        // Any request for another host is refused and recorded: Studio's files, fonts and API are all local.
        await context.RouteAsync(url => !url.StartsWith(host.Url.ToString(), StringComparison.Ordinal) && !url.StartsWith("data:", StringComparison.Ordinal) && !url.StartsWith("blob:", StringComparison.Ordinal),
            async route =>
            {
                outside.Add(route.Request.Url);
                await route.AbortAsync();
            });
        var page = await context.NewPageAsync();
        page.Response += (_, response) =>
        {
            var path = new Uri(response.Url).PathAndQuery;
            if (path.StartsWith("/elsa/api/", StringComparison.Ordinal))
            {
                calls.Enqueue($"{response.Request.Method} {path} {response.Status}");
            }

            if (response.Status >= 400)
            {
                failed.Add($"{response.Request.Method} {path} {response.Status}");
            }
        };

        var errors = new ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error")
            {
                errors.Enqueue(message.Text);
            }
        };
        await SignInAsync(page, host.IntegratorName);
        await page.GotoAsync("/elsa-studio/editor.html?definition=contacts");
        // The canvas shows the stages as nodes (their names are the stage ids).
        await Expect(page.GetByText("ivvy-to-hubspot-write").First).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "elsa-01-contacts.png") });
        var recorded = string.Join("\n", calls);
        Directory.CreateDirectory(Path.Combine(ConsoleHost.RepoRoot, "artifacts"));
        await File.WriteAllTextAsync(Path.Combine(ConsoleHost.RepoRoot, "artifacts", "elsa-studio-calls.txt"), recorded + "\n--- console errors\n" + string.Join("\n", errors));
        await Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync(new() { Timeout = 5_000 });
        Assert.Empty(outside);
        Assert.Empty(failed);
        Assert.Contains("GET /elsa/api/workflow-definitions/by-definition-id/contacts?versionOptions=Latest 200", recorded, StringComparison.Ordinal);
        Assert.Contains("GET /elsa/api/descriptors/activities", recorded, StringComparison.Ordinal);
    }

    private static async Task SignInAsync(IPage page, string userName)
    {
        await page.GotoAsync("/");
        await page.GetByLabel("User name").FillAsync(userName);
        await page.GetByLabel("Password").FillAsync(ConsoleHost.Password);
        await page.GetByLabel("Password").PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Modules", Level = 1 })).ToBeVisibleAsync();
    }
}
