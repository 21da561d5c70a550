using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Engine;
using IvvyWorkflows.Sandbox.HubSpot;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>Two CLI processes in one data directory, on the Azurite that directory owns (no connection string).</summary>
[Collection(EndToEndCollection.Name)]
public sealed class SharedDataDirectoryTests
{
    private const int Contacts = 1_500;
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Run_SameModuleTwiceAtOnce_SecondSaysTheRunIsAlreadyGoingAndExitsCleanly()
    {
        using var bed = new SyncTestBed(seedCount: Contacts);
        var store = new SqliteStateStore(Path.Combine(bed.DataDirectory, "state.db"));
        var managed = new Dictionary<string, string?> { ["Engine:StorageConnectionString"] = null, ["Sandbox:LatencyMs"] = "15" };
        using var first = CliChild.Start(bed, ["run", "contacts", "--definition-version", "1", "--json"], managed);
        await first.WaitForProgressAsync(store, 100, Long);

        using var second = CliChild.Start(bed, ["run", "contacts", "--definition-version", "1", "--json"], managed);
        await second.WaitForExitAsync(TimeSpan.FromMinutes(1));
        Assert.True(second.ExitCode == 0, $"exit {second.ExitCode}: {second.Flat}");
        Assert.Contains("A run of contacts is already going", second.Flat, StringComparison.Ordinal);
        Assert.False(first.HasExited, "the first run ended before the second could meet it");

        await first.WaitForExitAsync(Long);
        Assert.True(first.ExitCode == 0, $"exit {first.ExitCode}: {first.Flat}");
        Assert.Single(await store.ListRunsAsync());
        await AssertContactsAsync(bed, first.Stdout);
        Assert.False(File.Exists(Path.Combine(bed.DataDirectory, AzuriteLauncher.RecordFileName)), "the last user left Azurite running");
    }

    [Fact]
    public async Task Run_ProcessThatStartedAzuriteEndsFirst_LeavesItToTheOtherWhichFinishes()
    {
        using var bed = new SyncTestBed(seedCount: Contacts);
        var store = new SqliteStateStore(Path.Combine(bed.DataDirectory, "state.db"));
        var record = Path.Combine(bed.DataDirectory, AzuriteLauncher.RecordFileName);
        var leases = Path.Combine(bed.DataDirectory, "azurite-leases");

        // The first starts the directory's Azurite; the second joins it; then the first ends (Ctrl+C) while the second runs.
        using var first = CliChild.Start(bed, ["run", "companies", "--definition-version", "1", "--json"],
            new Dictionary<string, string?> { ["Engine:StorageConnectionString"] = null, ["Sandbox:LatencyMs"] = "1000" });
        await first.WaitUntilAsync(() => Task.FromResult(File.Exists(record)), Long, "the directory's Azurite");
        var started = JsonNode.Parse(await File.ReadAllTextAsync(record))!["ProcessId"]!.GetValue<int>();

        using var second = CliChild.Start(bed, ["run", "contacts", "--definition-version", "1", "--json"],
            new Dictionary<string, string?> { ["Engine:StorageConnectionString"] = null, ["Sandbox:LatencyMs"] = "15" });
        await second.WaitUntilAsync(() => Task.FromResult(Directory.Exists(leases) && Directory.GetFiles(leases).Length == 2), Long, "both processes on one Azurite");
        await first.WaitUntilAsync(async () => (await store.ListRunsAsync()).Any(r => r.Module == "companies"), Long, "the first's run");

        first.Signal(CliChild.SigInt);
        await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(first.ExitCode == StopSignals.InterruptedExitCode, $"exit {first.ExitCode}: {first.Flat}");
        Assert.False(second.HasExited, "the second ended before the first");
        Assert.Equal(started, JsonNode.Parse(await File.ReadAllTextAsync(record))!["ProcessId"]!.GetValue<int>());
        Assert.True(System.Diagnostics.Process.GetProcessById(started) is { HasExited: false }, "the first stopped the Azurite the second uses");

        await second.WaitForExitAsync(Long);
        Assert.True(second.ExitCode == 0, $"exit {second.ExitCode}: {second.Flat}");
        await AssertContactsAsync(bed, second.Stdout);
        Assert.False(File.Exists(record), "the last user left Azurite running");
    }

    private static async Task AssertContactsAsync(SyncTestBed bed, string stdout)
    {
        Assert.Equal("Completed", (string?)JsonNode.Parse(stdout)!["status"]);
        await using var hubSpot = new HubSpotSimulator(new HubSpotSimulatorOptions(), Path.Combine(bed.DataDirectory, "sandbox"), TimeProvider.System);
        var contacts = await hubSpot.AllAsync("contacts");
        Assert.Equal(Contacts, contacts.Count);
        Assert.Equal(Contacts, contacts.Select(c => (string)c["ivvy_contact_id"]!).Distinct().Count());
    }
}
