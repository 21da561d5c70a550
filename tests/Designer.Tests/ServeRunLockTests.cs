using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IvvyWorkflows.Designer.Auth;
using IvvyWorkflows.Engine.Runs;

namespace IvvyWorkflows.Designer.Tests;

/// <summary><c>serve</c> and the command share a data directory: while another process (here, the test, as the command's
/// <c>run</c> does) holds a module's run lock, serve starts no run of it, from a schedule or from the API, and says why.</summary>
public sealed class ServeRunLockTests
{
    [Fact]
    public async Task Serve_ModuleLockHeldByAnotherProcess_ScheduledTickSkippedAndApiRun409ThenRunsOnceReleased()
    {
        var host = new ServiceHost();
        host.Settings["Schedules:Enabled"] = "true";
        host.Settings["Schedules:Modules:companies"] = "2s";
        host.Settings["Schedules:Default"] = "0 3 1 1 *";
        var held = ModuleRunLock.TryAcquire(host.DataDirectory, "companies");
        Assert.NotNull(held);
        try
        {
            await host.InitializeAsync();
            using var client = await host.SignInAsync(Roles.Operator);

            var module = await PollAsync(client, m => ((string?)m["schedule"]?["lastSkipReason"])?.Contains("runs/companies.lock", StringComparison.Ordinal) == true);
            Assert.Null((string?)module["schedule"]!["lastRunId"]);
            var started = await client.PostAsJsonAsync(new Uri("/api/modules/companies/runs", UriKind.Relative), new { dryRun = false });
            Assert.Equal(HttpStatusCode.Conflict, started.StatusCode);
            Assert.Contains("runs/companies.lock", (string)(await started.Content.ReadFromJsonAsync<JsonObject>())!["message"]!, StringComparison.Ordinal);
            var runs = await client.GetFromJsonAsync<JsonObject>(new Uri("/api/runs?module=companies", UriKind.Relative));
            Assert.Equal(0, (long)runs!["total"]!);

            // The other process is done: the next tick runs the module.
            held.Dispose();
            held = null;
            module = await PollAsync(client, m => m["schedule"]?["lastRunId"] is not null);
            var runId = (string)module["schedule"]!["lastRunId"]!;
            Assert.NotEqual("Running", (string?)(await RunsApiTests.ReadProgressAsync(client, runId))[^1]["status"]);
        }
        finally
        {
            held?.Dispose();
            await host.DisposeAsync();
        }
    }

    private static async Task<JsonObject> PollAsync(HttpClient client, Func<JsonObject, bool> until)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var module = (await client.GetFromJsonAsync<JsonObject>(new Uri("/api/modules/companies", UriKind.Relative)))!;
            if (until(module))
            {
                return module;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the module did not get there: {module.ToJsonString()}");
            await Task.Delay(100);
        }
    }
}
