using System.Diagnostics;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Sandbox.HubSpot;
using IvvyWorkflows.Sandbox.Ivvy;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>The CLI as a child process, killed with SIGKILL mid-run and started again: nothing lost, nothing doubled.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class KillAndResumeTests
{
    private const int Contacts = 20_000;

    [Fact]
    public async Task Run_KilledMidRunAndStartedAgain_EveryContactLandsExactlyOnce()
    {
        using var bed = new SyncTestBed(seedCount: Contacts);
        var store = new SqliteStateStore(Path.Combine(bed.DataDirectory, "state.db"));

        using (var first = StartCli(bed))
        {
            // Kill once a good share is committed, and before the end.
            var deadline = DateTime.UtcNow.AddMinutes(4);

            while ((await store.ListRunsAsync(1)).FirstOrDefault() is not { Counters.Read: >= 3_000 })
            {
                if (first.HasExited)
                {
                    Assert.Fail("the CLI ended before it could be killed: " + await first.StandardError.ReadToEndAsync());
                }

                Assert.True(DateTime.UtcNow < deadline, "the run made no progress");
                await Task.Delay(20);
            }

            first.Kill(entireProcessTree: false); // SIGKILL
            await first.WaitForExitAsync();
        }

        var killed = (await store.ListRunsAsync(1)).Single();
        Assert.Equal(RunStatus.Running, killed.Status);
        Assert.True(killed.Counters.Read < Contacts, "killed after the end");

        using var second = StartCli(bed);
        var stdout = await second.StandardOutput.ReadToEndAsync();
        var stderr = await second.StandardError.ReadToEndAsync();
        await second.WaitForExitAsync();
        Assert.True(second.ExitCode == 0, $"exit {second.ExitCode}: {stderr}");

        var summary = JsonNode.Parse(stdout)!;
        Assert.Equal(killed.RunId, (string?)summary["runId"]);
        Assert.Equal("Completed", (string?)summary["status"]);
        Assert.Equal(Contacts, (long)summary["read"]!);
        Assert.Equal(Contacts, (long)summary["created"]!);

        var sandbox = Path.Combine(bed.DataDirectory, "sandbox");
        await using var hubSpot = new HubSpotSimulator(new HubSpotSimulatorOptions(), sandbox, TimeProvider.System);
        await using var ivvy = new IvvySimulator(new IvvySimulatorOptions { SeedCount = Contacts, DuplicateIdentityRate = 0 }, sandbox, TimeProvider.System);
        var contacts = await hubSpot.AllAsync("contacts");
        Assert.Equal(Contacts, contacts.Count);
        Assert.Equal(Contacts, contacts.Select(c => (string)c["ivvy_contact_id"]!).Distinct().Count());
        foreach (var contact in contacts)
        {
            var source = (await ivvy.GetContactAsync(int.Parse((string)contact["ivvy_contact_id"]!)))!;
            Assert.Equal(((string)source["email"]!).Trim().ToLowerInvariant(), (string?)contact["email"]);
            Assert.Equal((string?)source["lastName"], (string?)contact["lastname"]);
        }

        // At most the page in flight at the kill was written twice (idempotently).
        Assert.InRange(await hubSpot.CountUpsertInputsAsync("contacts") - Contacts, 0, 100);
    }

    private static Process StartCli(SyncTestBed bed)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "IvvyWorkflows.Cli.dll");
        var start = new ProcessStartInfo("dotnet", [cli, "run", "contacts", "--json"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = bed.DataDirectory,
        };
        foreach (var (key, value) in bed.Settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["Sandbox__Ivvy__DuplicateIdentityRate"] = "0";
        // A little latency per call, so the run is still going when the test kills it.
        start.Environment["Sandbox__LatencyMs"] = "15";
        return Process.Start(start)!;
    }
}
