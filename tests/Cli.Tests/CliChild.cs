using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using IvvyWorkflows.Activities.State;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>The built CLI as a child process of a test: its output collected line by line, signals sent by pid, and
/// every wait a condition polled with a deadline.</summary>
public sealed class CliChild : IDisposable
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private CliChild(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _stdout.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _stderr.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Stdout => string.Join('\n', _stdout);

    public string Stderr => string.Join('\n', _stderr);

    /// <summary>Both streams with every run of white space made one space (the console wraps long lines).</summary>
    public string Flat => System.Text.RegularExpressions.Regex.Replace(Stdout + " " + Stderr, @"\s+", " ");

    /// <summary>Starts <c>ivvy-workflows {arguments}</c> in the bed's data folder with its settings (and
    /// <paramref name="overrides"/>; a null value removes a setting).</summary>
    public static CliChild Start(SyncTestBed bed, string[] arguments, IDictionary<string, string?>? overrides = null)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "IvvyWorkflows.Cli.dll");
        var start = new ProcessStartInfo("dotnet", [cli, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = bed.DataDirectory,
            StandardOutputEncoding = Encoding.UTF8,
        };
        var settings = new Dictionary<string, string?>(bed.Settings);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            if (value is not null)
            {
                start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }

        return new CliChild(Process.Start(start)!);
    }

    /// <summary>Sends a signal (SIGINT, SIGTERM, SIGKILL…) to the child.</summary>
    public void Signal(int signal) => Assert.Equal(0, Kill(_process.Id, signal));

    /// <summary>Polls <paramref name="condition"/> until it holds; fails when the child exits first or the time is up.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (_process.HasExited)
            {
                Assert.Fail($"the CLI exited ({_process.ExitCode}) before {what}: {Stderr}");
            }

            Assert.True(DateTime.UtcNow < deadline, $"no {what} within {timeout.TotalSeconds:0} s: {Stderr}");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until a line of stdout or stderr contains <paramref name="text"/>.</summary>
    public Task WaitForLineAsync(string text, TimeSpan timeout) =>
        WaitUntilAsync(() => Task.FromResult(_stdout.Concat(_stderr).Any(l => l.Contains(text, StringComparison.Ordinal))), timeout, $"line '{text}'");

    /// <summary>Waits until the module's newest run in the bed's state store has read at least <paramref name="read"/> records.</summary>
    public Task WaitForProgressAsync(SqliteStateStore store, long read, TimeSpan timeout, string? runId = null) =>
        WaitUntilAsync(async () => (runId is null ? (await store.ListRunsAsync(1)).FirstOrDefault() : await store.GetRunAsync(runId)) is { Status: RunStatus.Running } run
            && run.Counters.Read >= read, timeout, $"{read} records read");

    /// <summary>Waits for the child to exit; returns how long it took, or fails (killing it) after <paramref name="timeout"/>.</summary>
    public async Task<TimeSpan> WaitForExitAsync(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"the CLI did not exit within {timeout.TotalSeconds:0} s: {Stderr}");
        }

        // The output pumps finish after the exit itself.
        _process.WaitForExit();
        return watch.Elapsed;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
