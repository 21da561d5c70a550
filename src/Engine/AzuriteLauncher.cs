using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using IvvyWorkflows.Engine.Azurite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IvvyWorkflows.Engine;

/// <summary>
/// Starts or adopts the local Azurite (the Azure Storage emulator, npm <c>azurite</c>) that a data directory owns, on
/// free loopback ports recorded in that directory, and keeps it running while any process of ours uses it.
/// </summary>
/// <remarks>
/// <para>Ownership: <c>{dataDirectory}/azurite.json</c> records the pid, the ports and the data location of the
/// directory's Azurite. It is adopted only when that pid is alive and is an Azurite whose <c>--location</c> is this
/// directory's <c>azurite-data</c>: a record naming another program, or another directory's Azurite, is stale and a new
/// Azurite is started. Every launcher that uses it holds a lease (a locked file in <c>azurite-leases/</c>; the lock
/// goes with its process, even on <c>kill -9</c>), and <see cref="StopAsync"/> stops the Azurite only when no other
/// lease is held, so one process never stops it under another. Start, adopt and stop are serialised by
/// <c>azurite.lock</c> in the directory.</para>
/// <para>The Azurite runs detached from this process (its own session on Unix) and logs to
/// <c>{dataDirectory}/azurite.log</c>, so it survives a crash or <c>kill -9</c> of this process and the next start
/// adopts it. Azurite saves its state every few seconds and on a graceful exit only: it is stopped with SIGTERM, and
/// killed only when it ignored that for 15 s.</para>
/// <para>The machine's well-known emulator on 10000-10002 (<c>UseDevelopmentStorage=true</c>) is never adopted; test
/// fixtures and CI make sure of it with <see cref="EnsureDevelopmentStorageAsync"/> and pass that connection string,
/// which the engine treats as external storage.</para>
/// <para>It runs with <c>--disableTelemetry</c> (by default Azurite reports to Application Insights) and
/// <c>--skipApiVersionCheck</c> (the storage SDKs may be newer than the emulator).</para>
/// </remarks>
public sealed class AzuriteLauncher
{
    /// <summary>The Azurite version installed when none is found (same as tools/azurite/package.json).</summary>
    public const string PinnedVersion = "3.37.0";

    /// <summary>Environment variable that may point at <c>azurite.js</c>, overriding the search.</summary>
    public const string ScriptPathVariable = "IVVY_AZURITE_JS";

    /// <summary>The record of a data directory's Azurite: pid, ports and data location.</summary>
    public const string RecordFileName = "azurite.json";

    /// <summary>Where <c>npm ci --prefix tools/azurite</c> puts the script, relative to the repository root.</summary>
    internal static readonly string RepositoryScriptPath =
        Path.Combine("tools", "azurite", "node_modules", "azurite", "dist", "src", "azurite.js");

    const string LeaseFolderName = "azurite-leases";
    const string LockFileName = "azurite.lock";
    const int PortAttempts = 3;
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(10);
    static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(12);
    static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    readonly ILogger logger;
    readonly TimeProvider time;
    string? root;
    Process? azuriteProcess;
    FileStream? lease;
    bool restartUsed;

    /// <summary>Creates a launcher.</summary>
    /// <param name="logger">Receives what the launcher does (adopt, install, start, stop).</param>
    /// <param name="time">Clock for waits; the system clock by default.</param>
    public AzuriteLauncher(ILogger? logger = null, TimeProvider? time = null)
    {
        this.logger = logger ?? NullLogger.Instance;
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>True when this launcher started the Azurite it uses (rather than adopting it).</summary>
    public bool StartedByThisLauncher { get; private set; }

    /// <summary>Process id of the Azurite this launcher uses; null before <see cref="EnsureRunningAsync"/> and after
    /// <see cref="StopAsync"/>.</summary>
    public int? ProcessId { get; private set; }

    /// <summary>The ports of the Azurite this launcher uses; null before <see cref="EnsureRunningAsync"/>.</summary>
    public AzuritePorts? Ports { get; private set; }

    /// <summary>
    /// Ensures the Azurite that <paramref name="dataDirectory"/> owns is running, adopting the recorded one or starting
    /// one (installing it once if needed) on free ports, and takes a lease on it until <see cref="StopAsync"/>.
    /// </summary>
    /// <param name="dataDirectory">Folder for Azurite's data (<c>azurite-data</c>), log, record, leases and, if needed, install.</param>
    /// <param name="ct">Cancels the wait; an Azurite already started keeps running.</param>
    /// <returns>Its ports (<see cref="AzuritePorts.ConnectionString"/> reaches it).</returns>
    /// <exception cref="DurableEngineStartException">Node.js is missing, the install failed, or Azurite did not open its ports.</exception>
    public async Task<AzuritePorts> EnsureRunningAsync(string dataDirectory, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        if (lease is not null)
        {
            throw new InvalidOperationException("This launcher already holds an Azurite; stop it first.");
        }

        string directory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(directory);
        root = directory;
        await using var directoryLock = await AcquireLockAsync(Path.Combine(directory, LockFileName), ct);
        AzuriteRecord? record = ReadRecord(directory);
        if (record is not null && IsOwnedBy(record, directory))
        {
            if (!await WaitForPortsAsync(record.Ports, record.ProcessId, ct))
            {
                throw new DurableEngineStartException(
                    EngineStartFailure.AzuriteUnavailable,
                    $"The Azurite of {directory} (pid {record.ProcessId}, recorded in {RecordFileName}) does not answer on " +
                    $"{record.Ports} within {StartTimeout.TotalSeconds:0} s; see {Path.Combine(directory, "azurite.log")}, or stop it.",
                    "Engine:StorageConnectionString");
            }

            ProcessId = record.ProcessId;
            Ports = record.Ports;
            StartedByThisLauncher = false;
            EngineLog.AzuriteAdopted(logger, record.ProcessId, record.Ports.ToString(), record.Location);
        }
        else
        {
            if (record is not null)
            {
                // Dead, or now another program or another directory's Azurite: never ours to use or to stop.
                EngineLog.AzuriteRecordStale(logger, record.ProcessId, directory);
                File.Delete(RecordPath(directory));
            }

            await StartProcessAsync(await LocateNodeAndScriptAsync(directory, install: true, ct), directory, fixedPorts: null, ct);
        }

        lease = TakeLease(directory);
        return Ports!;
    }

    /// <summary>
    /// Ensures something listens on the emulator's well-known ports 10000-10002 (<c>UseDevelopmentStorage=true</c>),
    /// starting an Azurite there with its data in <paramref name="dataDirectory"/> when nothing does. For test fixtures
    /// and CI: the Azurite started here is recorded in that directory and left running (stop it with
    /// <see cref="StopRecordedAsync"/>); nothing else ever stops it.
    /// </summary>
    /// <exception cref="DurableEngineStartException">Node.js is missing, the install failed, or Azurite did not open its ports.</exception>
    public static async Task EnsureDevelopmentStorageAsync(string dataDirectory, ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        var launcher = new AzuriteLauncher(logger);
        if (await IsRunningAsync(AzuritePorts.WellKnown, ct))
        {
            EngineLog.AzuriteReused(launcher.logger);
            return;
        }

        string directory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(directory);

        // The well-known ports are machine-wide, so the lock is too, whatever data directory each caller uses.
        await using var startLock = await launcher.AcquireLockAsync(Path.Combine(Path.GetTempPath(), "ivvy-workflows-azurite.lock"), ct);
        if (await IsRunningAsync(AzuritePorts.WellKnown, ct))
        {
            EngineLog.AzuriteReused(launcher.logger);
            return;
        }

        await launcher.StartProcessAsync(
            await launcher.LocateNodeAndScriptAsync(directory, install: true, ct), directory, AzuritePorts.WellKnown, ct);
    }

    /// <summary>
    /// Gives up this launcher's lease and, when <paramref name="stopIfUnused"/> and no other process of ours holds one,
    /// stops the directory's Azurite gracefully (SIGTERM, up to 15 s). Does nothing when it holds no lease.
    /// </summary>
    /// <remarks>A graceful stop keeps everything Azurite holds; only when it ignores SIGTERM for 15 s is it killed.</remarks>
    public async Task StopAsync(bool stopIfUnused = true, CancellationToken ct = default)
    {
        if (lease is null || root is null)
        {
            return;
        }

        await using (var directoryLock = await AcquireLockAsync(Path.Combine(root, LockFileName), ct))
        {
            await lease.DisposeAsync();
            lease = null;
            if (!stopIfUnused)
            {
                EngineLog.AzuriteLeftRunning(logger, ProcessId ?? 0, "Engine:StopAzuriteOnExit is false");
            }
            else if (OtherLeasesHeld(root))
            {
                EngineLog.AzuriteLeftRunning(logger, ProcessId ?? 0, "another process of ours still uses it");
            }
            else if (ReadRecord(root) is { } record && IsOwnedBy(record, root))
            {
                await StopProcessAsync(record.ProcessId, logger, time, ct);
                DeleteRecordIfItHolds(root, record.ProcessId);
            }
        }

        ProcessId = null;
        StartedByThisLauncher = false;
        azuriteProcess?.Dispose();
        azuriteProcess = null;
    }

    /// <summary>
    /// Restarts the Azurite this launcher started when it has died, once per launcher, on the same ports and data, so
    /// clients holding its connection string reach it again. Safe, and so done, only when all of these hold: this
    /// launcher started it (it is this process's child), it died of a crash or a kill (a graceful exit, code 0, is
    /// someone stopping it on purpose), the directory's record still names it (no other process of ours has restarted
    /// or replaced it), and its ports are free again.
    /// </summary>
    /// <remarks>Azurite saves its state every few seconds, so a restarted one may have lost its last writes: callers
    /// resume their work from their own journal (the run launcher re-claims the run under a new orchestration).</remarks>
    /// <returns>True when it was restarted and answers again.</returns>
    public async Task<bool> TryRestartAsync(CancellationToken ct = default)
    {
        if (restartUsed || root is null || Ports is null || lease is null || !StartedByThisLauncher
            || azuriteProcess is not { HasExited: true } dead || dead.ExitCode == 0)
        {
            return false;
        }

        restartUsed = true;
        int deadPid = ProcessId ?? 0;
        await using var directoryLock = await AcquireLockAsync(Path.Combine(root, LockFileName), ct);
        if (ReadRecord(root)?.ProcessId is int recorded && recorded != deadPid)
        {
            return false;
        }

        bool[] taken = await Task.WhenAll(Ports.All.Select(port => AcceptsAsync(port, ct)));
        if (taken.Any(t => t))
        {
            return false;
        }

        EngineLog.AzuriteRestarting(logger, deadPid, dead.ExitCode, Ports.ToString());
        DeleteRecordIfItHolds(root, deadPid);
        dead.Dispose();
        azuriteProcess = null;
        await StartProcessAsync(await LocateNodeAndScriptAsync(root, install: false, ct), root, Ports, ct);
        return true;
    }

    /// <summary>
    /// Stops the Azurite recorded in <c>{dataDirectory}/azurite.json</c> gracefully, whoever started it and whatever
    /// leases are held (for test and CI clean-up).
    /// </summary>
    /// <returns>True when an Azurite was found there and stopped.</returns>
    public static async Task<bool> StopRecordedAsync(string dataDirectory, ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        string directory = Path.GetFullPath(dataDirectory);
        if (ReadRecord(directory) is not { } record)
        {
            return false;
        }

        if (!IsOwnedBy(record, directory))
        {
            // A stale record: the pid is gone or now belongs to another program, which we must not touch.
            File.Delete(RecordPath(directory));
            return false;
        }

        await StopProcessAsync(record.ProcessId, logger ?? NullLogger.Instance, TimeProvider.System, ct);
        DeleteRecordIfItHolds(directory, record.ProcessId);
        return true;
    }

    /// <summary>True when something accepts TCP connections on all three ports on 127.0.0.1.</summary>
    public static async Task<bool> IsRunningAsync(AzuritePorts ports, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ports);
        bool[] open = await Task.WhenAll(ports.All.Select(port => AcceptsAsync(port, ct)));
        return open.All(o => o);
    }

    /// <summary>Finds azurite.js: the environment variable, then a repository's tools/azurite, then the data directory.</summary>
    /// <param name="dataDirectory">Absolute data directory (its <c>azurite</c> subfolder is the last place looked in).</param>
    /// <param name="scriptVariable">Value of <see cref="ScriptPathVariable"/>, if set.</param>
    /// <param name="searchRoots">Folders walked upwards looking for <c>tools/azurite/node_modules/…/azurite.js</c>.</param>
    /// <returns>The full path, or null when no copy is installed.</returns>
    /// <exception cref="DurableEngineStartException">The environment variable points at a missing file.</exception>
    internal static string? LocateScript(string dataDirectory, string? scriptVariable, IEnumerable<string> searchRoots)
    {
        if (!string.IsNullOrWhiteSpace(scriptVariable))
        {
            return File.Exists(scriptVariable)
                ? Path.GetFullPath(scriptVariable)
                : throw new DurableEngineStartException(
                    EngineStartFailure.AzuriteUnavailable,
                    $"{ScriptPathVariable} points at '{scriptVariable}', which does not exist. Point it at " +
                    "node_modules/azurite/dist/src/azurite.js or unset it.",
                    ScriptPathVariable);
        }

        foreach (string start in searchRoots)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, RepositoryScriptPath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        string installed = InstalledScriptPath(dataDirectory);
        return File.Exists(installed) ? installed : null;
    }

    /// <summary>Where <see cref="EnsureRunningAsync"/> installs Azurite when it finds no copy.</summary>
    internal static string InstalledScriptPath(string dataDirectory) =>
        Path.Combine(dataDirectory, "azurite", "node_modules", "azurite", "dist", "src", "azurite.js");

    static IEnumerable<string> DefaultSearchRoots() => [AppContext.BaseDirectory, Directory.GetCurrentDirectory()];

    async Task<string> InstallAsync(string root, CancellationToken ct)
    {
        string npm = FindExecutable(OperatingSystem.IsWindows() ? "npm.cmd" : "npm") ?? throw new DurableEngineStartException(
            EngineStartFailure.AzuriteUnavailable,
            "Azurite is not installed and npm was not found on PATH to install it. Install Node.js 20 or later (with npm), " +
            "run 'npm ci --prefix tools/azurite', or set Engine:StorageConnectionString to an Azure Storage account.",
            "Engine:StorageConnectionString");

        // npm installs into a staging folder that is renamed only when complete: an install cut short (a killed
        // process) must never leave a half-filled node_modules that later starts fail on.
        string target = Path.Combine(root, "azurite");
        string prefix = target + ".installing";
        if (Directory.Exists(prefix))
        {
            Directory.Delete(prefix, recursive: true);
        }

        EngineLog.AzuriteInstalling(logger, PinnedVersion, target);
        var info = new ProcessStartInfo(npm)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in (string[])["install", $"azurite@{PinnedVersion}", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error"])
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new DurableEngineStartException(
            EngineStartFailure.AzuriteUnavailable, "npm could not be started to install Azurite.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(ct);
        Task<string> stderr = process.StandardError.ReadToEndAsync(ct);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(InstallTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
        }

        if (process.ExitCode == 0 && File.Exists(Path.Combine(prefix, "node_modules", "azurite", "dist", "src", "azurite.js")))
        {
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            Directory.Move(prefix, target);
        }

        string script = InstalledScriptPath(root);
        if (process.ExitCode != 0 || !File.Exists(script))
        {
            string output = Tail((await stderr) + (await stdout), 1500);
            throw new DurableEngineStartException(
                EngineStartFailure.AzuriteUnavailable,
                $"'npm install azurite@{PinnedVersion}' failed (exit code {process.ExitCode}): {output} Install it by hand with " +
                "'npm ci --prefix tools/azurite', or set Engine:StorageConnectionString to an Azure Storage account.",
                "Engine:StorageConnectionString");
        }

        EngineLog.AzuriteInstalled(logger, script);
        return script;
    }

    /// <summary>Finds Node.js and azurite.js, installing Azurite into the data directory once when allowed.</summary>
    async Task<(string Node, string Script)> LocateNodeAndScriptAsync(string directory, bool install, CancellationToken ct)
    {
        string? script = LocateScript(directory, Environment.GetEnvironmentVariable(ScriptPathVariable), DefaultSearchRoots());
        if (script is null && install)
        {
            script = await InstallAsync(directory, ct);
        }

        string node = FindExecutable("node") ?? throw new DurableEngineStartException(
            EngineStartFailure.AzuriteUnavailable,
            "Node.js ('node') was not found on PATH, so the local Azurite storage emulator cannot start. Install Node.js 20 " +
            "or later, or set Engine:StorageConnectionString to an Azure Storage account.",
            "Engine:StorageConnectionString");
        return (node, script ?? throw new DurableEngineStartException(
            EngineStartFailure.AzuriteUnavailable, "Azurite is no longer installed where it was found.", ScriptPathVariable));
    }

    /// <summary>Starts Azurite on <paramref name="fixedPorts"/>, or on free ports (tried again with others when one is
    /// taken in between), records it in the directory and waits until it answers.</summary>
    async Task StartProcessAsync((string Node, string Script) command, string directory, AzuritePorts? fixedPorts, CancellationToken ct)
    {
        string location = Path.Combine(directory, "azurite-data");
        string logFile = Path.Combine(directory, "azurite.log");
        Directory.CreateDirectory(location);
        for (int attempt = 1; ; attempt++)
        {
            AzuritePorts ports = fixedPorts ?? FreePorts();
            string[] azuriteArgs =
            [
                command.Script, "--silent", "--location", location,
                "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                "--blobPort", ports.Blob.ToString(CultureInfo.InvariantCulture),
                "--queuePort", ports.Queue.ToString(CultureInfo.InvariantCulture),
                "--tablePort", ports.Table.ToString(CultureInfo.InvariantCulture),
                "--skipApiVersionCheck",

                // Azurite reports telemetry to Application Insights by default: no traffic leaves this machine, and
                // without a network its pending reports held up a graceful exit for 15 s or more.
                "--disableTelemetry",
            ];

            var process = OperatingSystem.IsWindows()
                ? StartPumped(command.Node, azuriteArgs, logFile)
                : StartDetached(command.Node, azuriteArgs, logFile);
            int pid = process.Id;
            azuriteProcess = process;
            ProcessId = pid;
            Ports = ports;
            StartedByThisLauncher = true;
            await WriteRecordAsync(directory, new AzuriteRecord(pid, ports.Blob, ports.Queue, ports.Table, location), ct);
            EngineLog.AzuriteStarting(logger, pid, ports.ToString(), location);

            long started = time.GetTimestamp();
            if (await WaitForPortsAsync(ports, pid, ct))
            {
                EngineLog.AzuriteStarted(logger, pid, time.GetElapsedTime(started).TotalMilliseconds);
                return;
            }

            bool exited = process.HasExited;
            if (!exited)
            {
                await StopProcessAsync(pid, logger, time, CancellationToken.None);
            }

            DeleteRecordIfItHolds(directory, pid);
            ProcessId = null;
            StartedByThisLauncher = false;
            azuriteProcess = null;
            if (exited && fixedPorts is null && attempt < PortAttempts)
            {
                // Most likely a port taken between choosing it and Azurite binding it: choose again.
                process.Dispose();
                continue;
            }

            string reason = exited ? $"exited at start (exit code {process.ExitCode})" : $"did not open {ports} within {StartTimeout.TotalSeconds:0} s";
            process.Dispose();
            throw new DurableEngineStartException(
                EngineStartFailure.AzuriteUnavailable,
                $"Azurite {reason}. Its log ({logFile}) ends with: {ReadTail(logFile)}. " +
                (fixedPorts is null ? "" : $"If another program holds ports {ports}, stop it, or ") +
                "set Engine:StorageConnectionString to a storage account.",
                "Engine:StorageConnectionString");
        }
    }

    /// <summary>Waits until all three ports answer, or the process is gone, or <see cref="StartTimeout"/> passes.</summary>
    async Task<bool> WaitForPortsAsync(AzuritePorts ports, int pid, CancellationToken ct)
    {
        long started = time.GetTimestamp();
        while (!await IsRunningAsync(ports, ct))
        {
            if (!ProcessSignals.IsAlive(pid) || time.GetElapsedTime(started) > StartTimeout)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(150), time, ct);
        }

        return true;
    }

    /// <summary>Three ports the system considers free right now (bound to port 0, then released).</summary>
    static AzuritePorts FreePorts()
    {
        var listeners = Enumerable.Range(0, 3).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            int[] ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
            return new AzuritePorts(ports[0], ports[1], ports[2]);
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    /// <summary>
    /// Unix: a shell that redirects output to the log and then replaces itself with node (so the pid is node's),
    /// in a session of its own when <c>setsid</c> exists, so a Ctrl-C or kill of this process does not reach it.
    /// </summary>
    static Process StartDetached(string node, string[] azuriteArgs, string logFile)
    {
        string detach = FindExecutable("setsid") is null ? string.Empty : "setsid ";
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"exec {detach}\"$@\" >\"$IVVY_AZURITE_LOG\" 2>&1 </dev/null");
        info.ArgumentList.Add("azurite");
        info.ArgumentList.Add(node);
        foreach (string arg in azuriteArgs)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["IVVY_AZURITE_LOG"] = logFile;
        return Process.Start(info) ?? throw new DurableEngineStartException(
            EngineStartFailure.AzuriteUnavailable, "The Azurite process could not be started.");
    }

    /// <summary>Windows: no shell redirection to rely on, so this process copies Azurite's output to the log.</summary>
    static Process StartPumped(string node, string[] azuriteArgs, string logFile)
    {
        var info = new ProcessStartInfo(node) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in azuriteArgs)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new DurableEngineStartException(
            EngineStartFailure.AzuriteUnavailable, "The Azurite process could not be started.");
        var log = new StreamWriter(logFile, append: false) { AutoFlush = true };
        var gate = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (gate) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (gate) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    static async Task StopProcessAsync(int pid, ILogger logger, TimeProvider time, CancellationToken ct)
    {
        EngineLog.AzuriteStopping(logger, pid);
        if (!ProcessSignals.RequestExit(pid))
        {
            return;
        }

        if (!await ProcessSignals.WaitForExitAsync(pid, StopTimeout, time, ct))
        {
            EngineLog.AzuriteStopTimedOut(logger, pid, StopTimeout.TotalSeconds);
            ProcessSignals.ForceKill(pid);
            await ProcessSignals.WaitForExitAsync(pid, TimeSpan.FromSeconds(5), time, ct);
        }

        EngineLog.AzuriteStopped(logger, pid);
    }

    /// <summary>True when the recorded pid is alive and is an Azurite keeping its data in this directory.</summary>
    static bool IsOwnedBy(AzuriteRecord record, string directory)
    {
        if (!ProcessSignals.IsAlive(record.ProcessId)
            || !string.Equals(record.Location, Path.Combine(directory, "azurite-data"), StringComparison.Ordinal))
        {
            return false;
        }

        string cmdline = Path.Combine("/proc", record.ProcessId.ToString(CultureInfo.InvariantCulture), "cmdline");
        if (File.Exists(cmdline))
        {
            try
            {
                // Arguments are NUL-separated: the location must be one of them, exactly.
                string[] args = File.ReadAllText(cmdline).Split('\0');
                return args.Any(a => a.Contains("azurite", StringComparison.OrdinalIgnoreCase)) && args.Contains(record.Location);
            }
            catch (IOException)
            {
                return false;
            }
        }

        // No /proc (macOS, Windows): the process name is all there is to check.
        try
        {
            using var process = Process.GetProcessById(record.ProcessId);
            return process.ProcessName.StartsWith("node", StringComparison.OrdinalIgnoreCase);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    static string RecordPath(string directory) => Path.Combine(directory, RecordFileName);

    static AzuriteRecord? ReadRecord(string directory)
    {
        try
        {
            return JsonSerializer.Deserialize<AzuriteRecord>(File.ReadAllText(RecordPath(directory)));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    static async Task WriteRecordAsync(string directory, AzuriteRecord record, CancellationToken ct)
    {
        // Written whole, then renamed: a reader never sees half a record.
        string file = RecordPath(directory);
        await File.WriteAllTextAsync(file + ".tmp", JsonSerializer.Serialize(record), ct);
        File.Move(file + ".tmp", file, overwrite: true);
    }

    static void DeleteRecordIfItHolds(string directory, int pid)
    {
        try
        {
            if (ReadRecord(directory)?.ProcessId == pid)
            {
                File.Delete(RecordPath(directory));
            }
        }
        catch (IOException)
        {
            // Best effort: a stale record is detected (dead pid) and replaced on the next start.
        }
    }

    /// <summary>A locked file that says "a process uses this Azurite"; the lock goes with the process.</summary>
    static FileStream TakeLease(string directory)
    {
        string folder = Directory.CreateDirectory(Path.Combine(directory, LeaseFolderName)).FullName;
        string file = Path.Combine(folder, $"{Environment.ProcessId}-{Guid.NewGuid():N}.lease");
        return new FileStream(file, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
    }

    /// <summary>True when a lease of a live process remains; leases of dead processes are removed on the way.</summary>
    static bool OtherLeasesHeld(string directory)
    {
        string folder = Path.Combine(directory, LeaseFolderName);
        if (!Directory.Exists(folder))
        {
            return false;
        }

        foreach (string file in Directory.EnumerateFiles(folder, "*.lease"))
        {
            try
            {
                using (new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                }

                // Nobody holds its lock: its process died without giving it up.
                File.Delete(file);
            }
            catch (FileNotFoundException)
            {
                // Given up while we looked.
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return true;
            }
        }

        return false;
    }

    async Task<FileStream> AcquireLockAsync(string path, CancellationToken ct)
    {
        long started = time.GetTimestamp();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (time.GetElapsedTime(started) < LockTimeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
            }
        }
    }

    static async Task<bool> AcceptsAsync(int port, CancellationToken ct)
    {
        using var client = new TcpClient(AddressFamily.InterNetwork);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Finds an executable on PATH, as a shell would.</summary>
    internal static string? FindExecutable(string name)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        string[] suffixes = OperatingSystem.IsWindows() && !Path.HasExtension(name) ? [".exe", ".cmd", ""] : [""];
        foreach (string dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string suffix in suffixes)
            {
                string candidate = Path.Combine(dir, name + suffix);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    static string ReadTail(string file)
    {
        try
        {
            return File.Exists(file) ? Tail(File.ReadAllText(file), 800) : "(no log)";
        }
        catch (IOException)
        {
            return "(log unreadable)";
        }
    }

    static string Tail(string text, int max)
    {
        text = text.Trim();
        return text.Length <= max ? text : "…" + text[^max..];
    }
}

/// <summary>Blob, queue and table ports of one Azurite on 127.0.0.1, and the connection string that reaches it.</summary>
/// <param name="Blob">Blob service port.</param>
/// <param name="Queue">Queue service port.</param>
/// <param name="Table">Table service port.</param>
public sealed record AzuritePorts(int Blob, int Queue, int Table)
{
    // The emulator's published development account and key: the same for every Azurite, not a secret.
    const string Account = "devstoreaccount1";
    const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The emulator's well-known ports 10000-10002, those of <c>UseDevelopmentStorage=true</c>.</summary>
    public static AzuritePorts WellKnown { get; } = new(10000, 10001, 10002);

    /// <summary>The three ports, blob first.</summary>
    public IReadOnlyList<int> All => [Blob, Queue, Table];

    /// <summary>A connection string for the development account on these ports.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture,
        $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={Key};" +
        $"BlobEndpoint=http://127.0.0.1:{Blob}/{Account};QueueEndpoint=http://127.0.0.1:{Queue}/{Account};" +
        $"TableEndpoint=http://127.0.0.1:{Table}/{Account};");

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Blob},{Queue},{Table}");
}

/// <summary>What <c>azurite.json</c> holds about a data directory's Azurite.</summary>
internal sealed record AzuriteRecord(int ProcessId, int BlobPort, int QueuePort, int TablePort, string Location)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public AzuritePorts Ports => new(BlobPort, QueuePort, TablePort);
}
