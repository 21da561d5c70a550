using System.Diagnostics;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Engine;
using IvvyWorkflows.Sandbox;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>
/// The fault matrix's "storage killed" and "process killed" rows: a two-way contacts run (the default version, so key
/// write-backs happen) against simulators in this test process, hit at each stage boundary as the simulators and the
/// state store see it, then run again to its end. Both simulators must end as after an uninterrupted run.
/// </summary>
/// <remarks>The boundary is found by polling what the CLI has done so far (calls journaled by the simulators, records
/// they hold, pages the state store committed), and the fault follows at once; with 100 ms per call the CLI is then
/// still at that boundary. "Storage killed" kills the test's own Azurite (free ports, its own data folder).</remarks>
[Collection(EndToEndCollection.Name)]
public sealed class StorageAndProcessFaultMatrixTests
{
    public enum Boundary
    {
        AfterRead,
        AfterWrite,
        BeforeCommit,
        AfterCommit,
        DuringKeyWriteBack,
    }

    public enum Fault
    {
        ProcessKilled,
        StorageKilled,
    }

    private const int Contacts = 250;
    private static readonly Lazy<Task<IReadOnlyList<string>>> Uninterrupted = new(UninterruptedStateAsync);

    public static TheoryData<Fault, Boundary> Cells()
    {
        var cells = new TheoryData<Fault, Boundary>();
        foreach (var fault in Enum.GetValues<Fault>())
        {
            foreach (var boundary in Enum.GetValues<Boundary>())
            {
                cells.Add(fault, boundary);
            }
        }

        return cells;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Run_FaultAtStageBoundary_BothSimulatorsEndAsAfterAnUninterruptedRun(Fault fault, Boundary boundary)
    {
        var expected = await Uninterrupted.Value;
        using var bed = new SyncTestBed(seedCount: Contacts);
        var store = new SqliteStateStore(Path.Combine(bed.DataDirectory, "state.db"));
        await using var sandbox = await StartSandboxAsync(bed, latencyMs: 100);
        var azurite = new AzuriteLauncher();
        var settings = Connect(sandbox);
        if (fault == Fault.StorageKilled)
        {
            settings["Engine:StorageConnectionString"] = (await azurite.EnsureRunningAsync(Path.Combine(bed.DataDirectory, "own-azurite"))).ConnectionString;
            settings["Engine:StorageLossTimeout"] = "00:00:05";
        }

        try
        {
            using (var run = CliChild.Start(bed, ["run", "contacts", "--json"], settings))
            {
                await run.WaitUntilAsync(() => ReachedAsync(boundary, sandbox, store), TimeSpan.FromMinutes(2), $"the boundary {boundary}");
                if (fault == Fault.ProcessKilled)
                {
                    run.Signal(9);
                    await run.WaitForExitAsync(TimeSpan.FromSeconds(30));
                }
                else
                {
                    Process.GetProcessById(azurite.ProcessId!.Value).Kill();
                    await run.WaitForExitAsync(TimeSpan.FromMinutes(1));
                    Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {run.Flat}");
                    Assert.Contains("The durable engine's storage went away", run.Flat, StringComparison.Ordinal);
                    Assert.True(await azurite.TryRestartAsync(), "the test's Azurite did not restart");
                }
            }

            Assert.Equal(RunStatus.Running, (await store.ListRunsAsync(1)).Single().Status);
            using var again = CliChild.Start(bed, ["run", "contacts", "--json"], settings);
            await again.WaitForExitAsync(TimeSpan.FromMinutes(3));
            Assert.True(again.ExitCode == 0, $"exit {again.ExitCode}: {again.Flat}");

            var actual = await StateAsync(sandbox);
            if (!expected.SequenceEqual(actual))
            {
                var run = (await store.ListRunsAsync(1)).Single();
                var quarantined = await store.ListQuarantineAsync("contacts");
                Assert.Fail($"missing: {string.Join("; ", expected.Except(actual))} | unexpected: {string.Join("; ", actual.Except(expected))} | " +
                    $"run {run.RunId} attempt {run.Attempt}: {run.Counters} | quarantined: {string.Join("; ", quarantined.Select(q => $"{q.Stream} {q.SourceId} {q.Reason}"))}");
            }
        }
        finally
        {
            await azurite.StopAsync();
        }
    }

    private static async Task<bool> ReachedAsync(Boundary boundary, SandboxHost sandbox, SqliteStateStore store) => boundary switch
    {
        // The second page of iVvy contacts asked for (the first page is written and committed by then).
        Boundary.AfterRead => Calls(sandbox.IvvyControls, k => k == "contact.getContactList") >= 2,
        // The second page's upsert has reached HubSpot and is answered after the latency: the CLI has not committed it.
        Boundary.BeforeCommit => Calls(sandbox.HubSpotControls, k => k.Contains("batch/upsert", StringComparison.Ordinal)) >= 2,
        // HubSpot holds the second page's contacts.
        Boundary.AfterWrite => (await sandbox.HubSpot.AllAsync("contacts")).Count >= 200,
        // The state store holds a committed page beyond the first.
        Boundary.AfterCommit => (await store.ListRunsAsync(1)).FirstOrDefault() is { Counters.Pages: >= 2 },
        // iVvy is being sent the HubSpot ids of the first committed page.
        Boundary.DuringKeyWriteBack => Calls(sandbox.IvvyControls, IsIvvyWrite) >= 1,
        _ => throw new ArgumentOutOfRangeException(nameof(boundary)),
    };

    private static bool IsIvvyWrite(string endpoint) =>
        endpoint.StartsWith("batch.", StringComparison.Ordinal) || endpoint.Contains("addOrUpdate", StringComparison.Ordinal);

    private static long Calls(Sandbox.Control.SimulatorControls controls, Func<string, bool> endpoint) =>
        controls.Calls.Where(c => endpoint(c.Key)).Sum(c => c.Value);

    private static async Task<IReadOnlyList<string>> UninterruptedStateAsync()
    {
        using var bed = new SyncTestBed(seedCount: Contacts);
        await using var sandbox = await StartSandboxAsync(bed, latencyMs: 0);
        using var run = CliChild.Start(bed, ["run", "contacts", "--json"], Connect(sandbox));
        await run.WaitForExitAsync(TimeSpan.FromMinutes(3));
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Flat}");
        var state = await StateAsync(sandbox);
        Assert.Equal(Contacts, state.Count(s => s.StartsWith("hubspot ", StringComparison.Ordinal)));
        return state;
    }

    /// <summary>Both simulators' contacts as comparable lines: each HubSpot contact's synced fields, each iVvy contact's
    /// synced fields and whether its key names the HubSpot contact that names it (ids are the simulators' own).</summary>
    private static async Task<IReadOnlyList<string>> StateAsync(SandboxHost sandbox)
    {
        var lines = new List<string>();
        var hubSpotIdOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var contact in await sandbox.HubSpot.AllAsync("contacts"))
        {
            var ivvyId = (string?)contact["ivvy_contact_id"] ?? "";
            hubSpotIdOf[ivvyId] = (string)contact["id"]!;
            lines.Add($"hubspot {ivvyId} {(string?)contact["email"]} {(string?)contact["firstname"]} {(string?)contact["lastname"]} {(string?)contact["phone"]}");
        }

        var count = await sandbox.Ivvy.CountContactsAsync();
        for (var id = 1; id <= count; id++)
        {
            if (await sandbox.Ivvy.GetContactAsync(id) is { } contact)
            {
                var key = (string?)contact["externalId"];
                var paired = key is not null && hubSpotIdOf.TryGetValue(id.ToString(System.Globalization.CultureInfo.InvariantCulture), out var hubSpotId) && hubSpotId == key;
                lines.Add($"ivvy {id} {(string?)contact["email"]} {(string?)contact["firstName"]} {(string?)contact["lastName"]} key:{(key is null ? "none" : paired ? "paired" : "WRONG " + key)}");
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static Task<SandboxHost> StartSandboxAsync(SyncTestBed bed, int latencyMs) => SandboxHost.StartAsync(new SandboxOptions
    {
        DataDirectory = Path.Combine(bed.DataDirectory, "simulators"),
        LatencyMs = latencyMs,
        Ivvy = new() { SeedCount = Contacts, DuplicateIdentityRate = 0 },
    });

    private static Dictionary<string, string?> Connect(SandboxHost sandbox) => new()
    {
        ["Ivvy:BaseUrl"] = sandbox.IvvyBaseUrl.ToString(),
        ["Ivvy:ApiKey"] = new Sandbox.Ivvy.IvvySimulatorOptions().ApiKey,
        ["Ivvy:ApiSecret"] = new Sandbox.Ivvy.IvvySimulatorOptions().ApiSecret,
        ["HubSpot:BaseUrl"] = sandbox.HubSpotBaseUrl.ToString(),
        ["HubSpot:AccessToken"] = new Sandbox.HubSpot.HubSpotSimulatorOptions().AccessToken,
    };
}
