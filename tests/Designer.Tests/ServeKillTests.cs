using System.Diagnostics;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Engine;
using IvvyWorkflows.Sandbox.HubSpot;

namespace IvvyWorkflows.Designer.Tests;

/// <summary><c>ivvy-workflows serve</c> as a child process, killed with SIGKILL during a scheduled run and started
/// again: the run resumes by itself and every contact lands once.</summary>
public sealed class ServeKillTests : IDisposable
{
    private const int Contacts = 3_000;
    private readonly string _data = Directory.CreateTempSubdirectory("ivvy-serve-kill-").FullName;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();
    private readonly string _taskHub = "k" + Guid.NewGuid().ToString("N")[..20];

    [Fact]
    public async Task Serve_KilledDuringScheduledRunAndStartedAgain_RunResumesByItselfAndCompletes()
    {
        await new AzuriteLauncher().EnsureRunningAsync(Path.Combine(Path.GetTempPath(), "ivvy-workflows-designer-tests"));
        var store = new SqliteStateStore(Path.Combine(_data, "state.db"));
        string runId;
        using (var first = StartServe())
        {
            var deadline = DateTime.UtcNow.AddMinutes(4);
            while ((await store.ListRunsAsync(1)).FirstOrDefault() is not { Status: RunStatus.Running, Counters.Read: >= 500 })
            {
                Assert.False(first.HasExited, "serve ended before it could be killed: " + Output);
                Assert.True(DateTime.UtcNow < deadline, "no scheduled run made progress: " + Output);
                await Task.Delay(20);
            }

            first.Kill(entireProcessTree: false); // SIGKILL
            await first.WaitForExitAsync();
        }

        var killed = (await store.ListRunsAsync(1)).Single();
        runId = killed.RunId;
        Assert.Equal(RunStatus.Running, killed.Status);
        Assert.True(killed.Counters.Read < Contacts, "killed after the end");

        using (var second = StartServe())
        {
            var deadline = DateTime.UtcNow.AddMinutes(4);
            while (await store.GetRunAsync(runId) is not { Status: not RunStatus.Running } ended)
            {
                Assert.False(second.HasExited, "serve ended: " + Output);
                Assert.True(DateTime.UtcNow < deadline, "the interrupted run did not finish: " + Output);
                await Task.Delay(50);
            }

            Assert.Equal(RunStatus.Completed, (await store.GetRunAsync(runId))!.Status);
            Assert.True((await store.GetRunAsync(runId))!.Attempt >= 2, "the run was not resumed as a new attempt");
            using (var stop = Process.Start("kill", ["-TERM", second.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await stop.WaitForExitAsync();
            }

            await second.WaitForExitAsync();
        }

        await using var hubSpot = new HubSpotSimulator(new HubSpotSimulatorOptions(), Path.Combine(_data, "sandbox"), TimeProvider.System);
        var contacts = await hubSpot.AllAsync("contacts");
        // Nothing lost, nothing doubled: every contact landed once, or was set aside with its reason.
        var quarantined = await store.ListQuarantineAsync("contacts", limit: Contacts);
        Assert.Equal(Contacts, contacts.Count + quarantined.Count(q => q.Stream == "ivvy-to-hubspot"));
        Assert.Equal(contacts.Count, contacts.Select(c => (string)c["ivvy_contact_id"]!).Distinct().Count());
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Process StartServe()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "IvvyWorkflows.Cli.dll");
        var start = new ProcessStartInfo("dotnet", [cli, "serve", "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _data,
        };
        start.Environment["DataDirectory"] = _data;
        start.Environment["WorkflowsDirectory"] = Path.Combine(ServiceHost.Root, "workflows");
        start.Environment["Engine__TaskHubName"] = _taskHub;
        start.Environment["Engine__StopAzuriteOnExit"] = "false";
        start.Environment["Sandbox__Ivvy__SeedCount"] = Contacts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Sandbox__Ivvy__DuplicateIdentityRate"] = "0";
        // A little latency per call, so the run is still going when the test kills it.
        start.Environment["Sandbox__LatencyMs"] = "15";
        start.Environment["EnabledModules__0"] = "contacts";
        start.Environment["Schedules__Modules__contacts"] = "3s";
        var process = Process.Start(start)!;
        // Drained as it comes: a full pipe would stall the service's logging, and with it the run.
        process.OutputDataReceived += (_, e) => _output.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => _output.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private string Output => string.Join(Environment.NewLine, _output);
}
