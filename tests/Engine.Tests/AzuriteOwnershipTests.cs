using System.Diagnostics;
using System.Globalization;

namespace IvvyWorkflows.Engine.Tests;

/// <summary>
/// An Azurite owned by its data directory, each test with Azurites of its own on free ports (never the machine's
/// emulator on 10000-10002, which the test asserts it leaves alone).
/// </summary>
public sealed class AzuriteOwnershipTests : IAsyncLifetime
{
    readonly string root = Path.Combine(Path.GetTempPath(), "ivvy-azurite-owner-" + Guid.NewGuid().ToString("N"));
    readonly List<AzuriteLauncher> launchers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var launcher in launchers)
        {
            await launcher.StopAsync();
        }

        foreach (string directory in Directory.Exists(root) ? Directory.GetDirectories(root) : [])
        {
            await AzuriteLauncher.StopRecordedAsync(directory);
        }

        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task StopAsync_AnotherProcessStillUsesIt_LeavesAzuriteRunningUntilTheLastOneStops()
    {
        string data = Path.Combine(root, "shared");
        var first = New();
        var second = New();

        AzuritePorts ports = await first.EnsureRunningAsync(data);
        AzuritePorts adopted = await second.EnsureRunningAsync(data);
        int pid = first.ProcessId!.Value;

        Assert.NotEqual(AzuritePorts.WellKnown, ports);
        Assert.Equal(ports, adopted);
        Assert.True(first.StartedByThisLauncher);
        Assert.False(second.StartedByThisLauncher);

        // The one that started it stops first: the other still uses it, so it stays.
        await first.StopAsync();
        Assert.True(await AzuriteLauncher.IsRunningAsync(ports));

        await second.StopAsync();
        Assert.True(await ExitedAsync(pid), "the last user's stop leaves the Azurite running");
        Assert.False(File.Exists(Path.Combine(data, AzuriteLauncher.RecordFileName)));
    }

    [Fact]
    public async Task EnsureRunningAsync_RecordNamesAnotherProgram_StartsItsOwnAndLeavesThatProgramAlone()
    {
        // The record names this test process on the machine's emulator ports: alive, listening, and not ours.
        string data = Path.Combine(root, "foreign");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, AzuriteLauncher.RecordFileName), Record(Environment.ProcessId, AzuritePorts.WellKnown, Path.Combine(data, "azurite-data")));
        var launcher = New();

        AzuritePorts ports = await launcher.EnsureRunningAsync(data);

        Assert.True(launcher.StartedByThisLauncher);
        Assert.NotEqual(AzuritePorts.WellKnown, ports);
        Assert.NotEqual(Environment.ProcessId, launcher.ProcessId);
        await launcher.StopAsync();
        Assert.False(await AzuriteLauncher.IsRunningAsync(ports));
    }

    [Fact]
    public async Task EnsureRunningAsync_RecordNamesAnotherDirectorysAzurite_DoesNotAdoptIt()
    {
        string other = Path.Combine(root, "other");
        string mine = Path.Combine(root, "mine");
        var theirs = New();
        AzuritePorts theirPorts = await theirs.EnsureRunningAsync(other);
        Directory.CreateDirectory(mine);
        File.Copy(Path.Combine(other, AzuriteLauncher.RecordFileName), Path.Combine(mine, AzuriteLauncher.RecordFileName));
        var launcher = New();

        AzuritePorts ports = await launcher.EnsureRunningAsync(mine);

        Assert.True(launcher.StartedByThisLauncher);
        Assert.NotEqual(theirPorts, ports);
        await launcher.StopAsync();
        Assert.True(await AzuriteLauncher.IsRunningAsync(theirPorts), "stopping mine stopped theirs");
    }

    [Fact]
    public async Task TryRestartAsync_AzuriteItStartedWasKilled_RestartsItOnceOnTheSamePorts()
    {
        string data = Path.Combine(root, "restart");
        var launcher = New();
        AzuritePorts ports = await launcher.EnsureRunningAsync(data);
        int killed = launcher.ProcessId!.Value;

        Process.GetProcessById(killed).Kill();
        Assert.True(await ExitedAsync(killed));
        Assert.True(await launcher.TryRestartAsync());

        Assert.True(await AzuriteLauncher.IsRunningAsync(ports));
        Assert.NotEqual(killed, launcher.ProcessId);

        int second = launcher.ProcessId!.Value;
        Process.GetProcessById(second).Kill();
        Assert.True(await ExitedAsync(second));
        Assert.False(await launcher.TryRestartAsync(), "restarted twice");
    }

    [Fact]
    public async Task TryRestartAsync_AdoptedAzuriteDied_LeavesItToTheProcessThatStartedIt()
    {
        string data = Path.Combine(root, "adopted");
        var starter = New();
        await starter.EnsureRunningAsync(data);
        var adopter = New();
        await adopter.EnsureRunningAsync(data);
        int pid = starter.ProcessId!.Value;

        Process.GetProcessById(pid).Kill();
        Assert.True(await ExitedAsync(pid));

        Assert.False(await adopter.TryRestartAsync());
    }

    AzuriteLauncher New()
    {
        var launcher = new AzuriteLauncher();
        launchers.Add(launcher);
        return launcher;
    }

    static string Record(int pid, AzuritePorts ports, string location) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"ProcessId":{{pid}},"BlobPort":{{ports.Blob}},"QueuePort":{{ports.Queue}},"TablePort":{{ports.Table}},"Location":{{System.Text.Json.JsonSerializer.Serialize(location)}}}""");

    static async Task<bool> ExitedAsync(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                if (process.HasExited)
                {
                    return true;
                }
            }
            catch (ArgumentException)
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }
}
