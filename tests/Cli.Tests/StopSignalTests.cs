using System.Net;
using System.Net.Sockets;
using IvvyWorkflows.Activities.State;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>Each long-running command, as a child process, stopped by SIGINT and by SIGTERM: it exits within a few
/// seconds with the signal's exit code and keeps what it must.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class StopSignalTests
{
    // A few seconds of work, with room for a machine busy with other builds.
    private static readonly TimeSpan StopWithin = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Progress = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData(CliChild.SigInt, StopSignals.InterruptedExitCode)]
    [InlineData(CliChild.SigTerm, StopSignals.TerminatedExitCode)]
    public async Task RunAndResume_Signal_StopWithItsExitCodeAndKeepTheRunResumable(int signal, int exitCode)
    {
        using var bed = new SyncTestBed(seedCount: 3_000);
        var store = new SqliteStateStore(Path.Combine(bed.DataDirectory, "state.db"));
        var slow = new Dictionary<string, string?> { ["Sandbox:LatencyMs"] = "20" };

        string runId;
        using (var run = CliChild.Start(bed, ["run", "contacts", "--definition-version", "1"], slow))
        {
            await run.WaitForProgressAsync(store, 200, Progress);
            run.Signal(signal);
            await run.WaitForExitAsync(StopWithin);
            Assert.True(run.ExitCode == exitCode, $"exit {run.ExitCode}: {run.Stderr}");
            Assert.Contains("Stopped. The run keeps its committed pages", run.Flat, StringComparison.Ordinal);
            var stopped = (await store.ListRunsAsync(1)).Single();
            Assert.Equal(RunStatus.Running, stopped.Status);
            runId = stopped.RunId;
        }

        var read = (await store.GetRunAsync(runId))!.Counters.Read;
        using (var resume = CliChild.Start(bed, ["resume", runId], slow))
        {
            await resume.WaitForProgressAsync(store, read + 200, Progress, runId);
            resume.Signal(signal);
            await resume.WaitForExitAsync(StopWithin);
            Assert.True(resume.ExitCode == exitCode, $"exit {resume.ExitCode}: {resume.Stderr}");
            Assert.Equal(RunStatus.Running, (await store.GetRunAsync(runId))!.Status);
        }
    }

    [Theory]
    [InlineData(CliChild.SigInt, StopSignals.InterruptedExitCode)]
    [InlineData(CliChild.SigTerm, StopSignals.TerminatedExitCode)]
    public async Task Replay_Signal_StopsWithItsExitCodeAndKeepsTheQuarantine(int signal, int exitCode)
    {
        using var bed = new SyncTestBed(seedCount: 300, duplicates: 0.3);
        var store = new SqliteStateStore(Path.Combine(bed.DataDirectory, "state.db"));
        using (var first = CliChild.Start(bed, ["run", "contacts", "--definition-version", "1"]))
        {
            await first.WaitForExitAsync(Progress);
            // Whatever exit code a run with quarantined records ends with, it must have ended.
            Assert.True((await store.ListRunsAsync(1)).Single().Status != RunStatus.Running, $"exit {first.ExitCode}: {first.Flat}");
        }

        var quarantined = (await store.ListQuarantineAsync("contacts")).Count;
        Assert.True(quarantined > 0, "the seed quarantined nothing to replay");

        // Slow calls keep the replay going while the signal arrives.
        using var replay = CliChild.Start(bed, ["replay", "contacts"], new Dictionary<string, string?> { ["Sandbox:LatencyMs"] = "1000" });
        await replay.WaitUntilAsync(async () => (await store.ListRunsAsync(1)).FirstOrDefault() is { Replay: true, Status: RunStatus.Running },
            Progress, "the replay run");
        replay.Signal(signal);
        await replay.WaitForExitAsync(StopWithin);

        Assert.True(replay.ExitCode == exitCode, $"exit {replay.ExitCode}: {replay.Stderr}");
        Assert.Equal(quarantined, (await store.ListQuarantineAsync("contacts")).Count);
    }

    [Theory]
    [InlineData(CliChild.SigInt)]
    [InlineData(CliChild.SigTerm)]
    public async Task Sandbox_Signal_StopsAndSavesItsState(int signal)
    {
        using var bed = new SyncTestBed(seedCount: 100);
        var (ivvyPort, hubSpotPort) = (FreePort(), FreePort());
        using var sandbox = CliChild.Start(bed, ["sandbox"], new Dictionary<string, string?>
        {
            ["Sandbox:IvvyPort"] = ivvyPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sandbox:HubSpotPort"] = hubSpotPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await sandbox.WaitForLineAsync("Sandbox running", Progress);

        sandbox.Signal(signal);
        await sandbox.WaitForExitAsync(StopWithin);

        // Ctrl+C is how the sandbox is meant to end: a clean exit, its ports closed, its state on disk.
        Assert.True(sandbox.ExitCode == 0, $"exit {sandbox.ExitCode}: {sandbox.Stderr}");
        Assert.False(Accepts(ivvyPort) || Accepts(hubSpotPort), "the sandbox still listens");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(bed.DataDirectory, "sandbox"), "*", SearchOption.AllDirectories));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
