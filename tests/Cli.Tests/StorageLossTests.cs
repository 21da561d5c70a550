using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Engine;
using IvvyWorkflows.Sandbox.HubSpot;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>The durable engine's storage killed (SIGKILL) under a running CLI: bounded stop with a message, or a
/// restart of the Azurite the CLI started; either way the run ends with exactly the expected records. Every Azurite
/// here is the test's own, on free ports with its own data folder; the machine's emulator is never touched.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class StorageLossTests
{
    private const int Contacts = 3_000;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Run_ExternalStorageKilledMidRun_StopsWithinTheBoundSayingSoAndResumesExactlyOnceItIsBack()
    {
        using var bed = new SyncTestBed(seedCount: Contacts);
        var store = new SqliteStateStore(Path.Combine(bed.DataDirectory, "state.db"));
        var storageFolder = Path.Combine(bed.DataDirectory, "own-azurite");
        var azurite = new AzuriteLauncher();
        var ports = await azurite.EnsureRunningAsync(storageFolder);
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["Engine:StorageConnectionString"] = ports.ConnectionString,
                ["Engine:StorageLossTimeout"] = Bound.ToString(),
                ["Sandbox:LatencyMs"] = "15",
            };
            using (var run = CliChild.Start(bed, ["run", "contacts", "--definition-version", "1", "--json"], settings))
            {
                await run.WaitForProgressAsync(store, 500, TimeSpan.FromMinutes(2));
                Process.GetProcessById(azurite.ProcessId!.Value).Kill();
                var stoppedAfter = await run.WaitForExitAsync(TimeSpan.FromMinutes(1));

                Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {run.Stderr}");
                Assert.True(run.Flat.Contains("The durable engine's storage went away", StringComparison.Ordinal)
                    && run.Flat.Contains($"127.0.0.1:{ports.Queue}", StringComparison.Ordinal)
                    && run.Flat.Contains("start that storage again", StringComparison.Ordinal), run.Flat);
                // The bound, plus the engine's bounded shutdown without storage.
                Assert.True(stoppedAfter < Bound + TimeSpan.FromSeconds(20), $"stopped after {stoppedAfter.TotalSeconds:0} s");
            }

            Assert.Equal(RunStatus.Running, (await store.ListRunsAsync(1)).Single().Status);
            Assert.True(await azurite.TryRestartAsync(), "the test's Azurite did not restart");

            using var again = CliChild.Start(bed, ["run", "contacts", "--definition-version", "1", "--json"], settings);
            await again.WaitForExitAsync(TimeSpan.FromMinutes(3));
            Assert.True(again.ExitCode == 0, $"exit {again.ExitCode}: {again.Stderr}");
            await AssertExactlyOnceAsync(bed, again.Stdout);
        }
        finally
        {
            await azurite.StopAsync();
        }
    }

    [Fact]
    public async Task Run_AzuriteItStartedKilledMidRun_RestartsItOnceRestoresTheLostTaskHubAndEndsWithExactlyTheExpectedRecords()
    {
        // No connection string: the CLI starts the data directory's own Azurite, and stops it at the end.
        using var bed = new SyncTestBed(seedCount: Contacts);
        var store = new SqliteStateStore(Path.Combine(bed.DataDirectory, "state.db"));
        using var run = CliChild.Start(bed, ["run", "contacts", "--definition-version", "1", "--json"], new Dictionary<string, string?>
        {
            ["Engine:StorageConnectionString"] = null,
            ["Engine:StorageLossTimeout"] = Bound.ToString(),
            ["Sandbox:LatencyMs"] = "15",
        });
        await run.WaitForProgressAsync(store, 500, TimeSpan.FromMinutes(2));
        var record = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(bed.DataDirectory, AzuriteLauncher.RecordFileName)))!;
        var pid = (int)record["ProcessId"]!;
        Assert.NotEqual(AzuritePorts.WellKnown.Blob, (int)record["BlobPort"]!);

        // Azurite saves its state every few seconds, so a kill may take tables with it (it did in CI). Make that
        // certain: drop the task hub's tables, and kill once Azurite has saved itself without them.
        var tables = new TableServiceClient(new AzuritePorts((int)record["BlobPort"]!, (int)record["QueuePort"]!, (int)record["TablePort"]!).ConnectionString);
        await foreach (var table in tables.QueryAsync())
        {
            await tables.DeleteTableAsync(table.Name);
        }

        var saved = Path.Combine((string)record["Location"]!, "__azurite_db_table__.json");
        await run.WaitUntilAsync(async () => !(await File.ReadAllTextAsync(saved)).Contains("History\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "Azurite saving its tables without the task hub's");
        Process.GetProcessById(pid).Kill();
        await run.WaitForExitAsync(TimeSpan.FromMinutes(3));

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Stderr}");
        await AssertExactlyOnceAsync(bed, run.Stdout);
        Assert.False(File.Exists(Path.Combine(bed.DataDirectory, AzuriteLauncher.RecordFileName)), "the restarted Azurite was left running");
    }

    private static async Task AssertExactlyOnceAsync(SyncTestBed bed, string stdout)
    {
        var summary = JsonNode.Parse(stdout)!;
        Assert.Equal("Completed", (string?)summary["status"]);
        await using var hubSpot = new HubSpotSimulator(new HubSpotSimulatorOptions(), Path.Combine(bed.DataDirectory, "sandbox"), TimeProvider.System);
        var contacts = await hubSpot.AllAsync("contacts");
        Assert.Equal(Contacts, contacts.Count);
        Assert.Equal(Contacts, contacts.Select(c => (string)c["ivvy_contact_id"]!).Distinct().Count());
    }
}
