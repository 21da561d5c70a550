using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using IvvyWorkflows.Engine.Azurite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IvvyWorkflows.Engine;

/// <summary>
/// Makes sure a local Azurite (the Azure Storage emulator, npm <c>azurite</c>) listens on 127.0.0.1:10000-10002,
/// starting one with its data on disk when none does.
/// </summary>
/// <remarks>
/// <para>An Azurite that was already listening is reused and never stopped by this class. One it started is
/// recorded in <c>{dataDirectory}/azurite.pid</c>, logs to <c>{dataDirectory}/azurite.log</c>, and is detached from
/// this process (its own session on Unix), so it survives a crash or <c>kill -9</c> of this process and a restarted
/// host reuses it.</para>
/// <para>Azurite saves its state every few seconds and on a graceful exit only: <see cref="StopAsync"/> therefore
/// sends SIGTERM and waits, and kills it only when it ignored that for 15 s.</para>
/// <para>It runs with <c>--disableTelemetry</c> (by default Azurite reports to Application Insights) and
/// <c>--skipApiVersionCheck</c> (the storage SDKs may be newer than the emulator).</para>
/// </remarks>
public sealed class AzuriteLauncher
{
    /// <summary>The Azurite version installed when none is found (same as tools/azurite/package.json).</summary>
    public const string PinnedVersion = "3.37.0";

    /// <summary>Environment variable that may point at <c>azurite.js</c>, overriding the search.</summary>
    public const string ScriptPathVariable = "IVVY_AZURITE_JS";

    /// <summary>Blob, queue and table ports, in that order (the emulator's well-known ports).</summary>
    public static readonly IReadOnlyList<int> Ports = [10000, 10001, 10002];

    /// <summary>Where <c>npm ci --prefix tools/azurite</c> puts the script, relative to the repository root.</summary>
    internal static readonly string RepositoryScriptPath =
        Path.Combine("tools", "azurite", "node_modules", "azurite", "dist", "src", "azurite.js");

    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(10);
    static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(12);
    static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    readonly ILogger logger;
    readonly TimeProvider time;
    string? pidFile;
    Process? azuriteProcess;

    /// <summary>Creates a launcher.</summary>
    /// <param name="logger">Receives what the launcher does (reuse, install, start, stop).</param>
    /// <param name="time">Clock for waits; the system clock by default.</param>
    public AzuriteLauncher(ILogger? logger = null, TimeProvider? time = null)
    {
        this.logger = logger ?? NullLogger.Instance;
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>True when this launcher started the running Azurite (and so may stop it).</summary>
    public bool StartedByThisLauncher => ProcessId is not null;

    /// <summary>Process id of the Azurite this launcher started; null when it reused one or started none.</summary>
    public int? ProcessId { get; private set; }

    /// <summary>Ensures Azurite listens on 127.0.0.1:10000-10002, starting it (and installing it once) if needed.</summary>
    /// <param name="dataDirectory">Folder for Azurite's data (<c>azurite-data</c>), log, pid file and, if needed, install.</param>
    /// <param name="ct">Cancels the wait; an Azurite already started keeps running.</param>
    /// <exception cref="DurableEngineStartException">Node.js is missing, the install failed, or Azurite did not open its ports.</exception>
    public async Task EnsureRunningAsync(string dataDirectory, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        if (await IsRunningAsync(ct))
        {
            EngineLog.AzuriteReused(logger);
            return;
        }

        string root = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(root);

        // Two hosts (or two test assemblies) starting at once must not both start an Azurite on the same ports; the
        // ports are machine-wide, so the lock is too, whatever data directory each one uses.
        await using var startLock = await AcquireStartLockAsync(ct);
        if (await IsRunningAsync(ct))
        {
            EngineLog.AzuriteReused(logger);
            return;
        }

        string script = LocateScript(root, Environment.GetEnvironmentVariable(ScriptPathVariable), DefaultSearchRoots())
            ?? await InstallAsync(root, ct);
        string node = FindExecutable("node") ?? throw new DurableEngineStartException(
            EngineStartFailure.AzuriteUnavailable,
            "Node.js ('node') was not found on PATH, so the local Azurite storage emulator cannot start. Install Node.js 20 " +
            "or later, or set Engine:StorageConnectionString to an Azure Storage account.",
            "Engine:StorageConnectionString");

        await StartProcessAsync(node, script, root, ct);
    }

    /// <summary>Stops the Azurite this launcher started, gracefully (SIGTERM, up to 15 s); does nothing otherwise.</summary>
    /// <remarks>A graceful stop keeps everything Azurite holds; only when it ignores SIGTERM for 15 s is it killed.</remarks>
    public async Task StopAsync(CancellationToken ct = default)
    {
        if (ProcessId is not int pid)
        {
            return;
        }

        await StopProcessAsync(pid, logger, time, ct);
        DeletePidFileIfItHolds(pidFile, pid);
        ProcessId = null;
        azuriteProcess?.Dispose();
        azuriteProcess = null;
    }

    /// <summary>
    /// Stops the Azurite recorded in <c>{dataDirectory}/azurite.pid</c> gracefully, whoever started it
    /// (for test and CI clean-up).
    /// </summary>
    /// <returns>True when an Azurite was found there and stopped.</returns>
    public static async Task<bool> StopRecordedAsync(string dataDirectory, ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        string file = Path.Combine(Path.GetFullPath(dataDirectory), "azurite.pid");
        if (!File.Exists(file))
        {
            return false;
        }

        string text = await File.ReadAllTextAsync(file, ct);
        if (!int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int pid)
            || !IsAzuriteProcess(pid))
        {
            // A stale record: the pid is gone or now belongs to another program, which we must not touch.
            File.Delete(file);
            return false;
        }

        await StopProcessAsync(pid, logger ?? NullLogger.Instance, TimeProvider.System, ct);
        DeletePidFileIfItHolds(file, pid);
        return true;
    }

    /// <summary>True when something accepts TCP connections on all three Azurite ports of 127.0.0.1.</summary>
    public static async Task<bool> IsRunningAsync(CancellationToken ct = default)
    {
        bool[] open = await Task.WhenAll(Ports.Select(port => AcceptsAsync(port, ct)));
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

    async Task StartProcessAsync(string node, string script, string root, CancellationToken ct)
    {
        string location = Path.Combine(root, "azurite-data");
        string logFile = Path.Combine(root, "azurite.log");
        Directory.CreateDirectory(location);
        string[] azuriteArgs =
        [
            script, "--silent", "--location", location,
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", Ports[0].ToString(CultureInfo.InvariantCulture),
            "--queuePort", Ports[1].ToString(CultureInfo.InvariantCulture),
            "--tablePort", Ports[2].ToString(CultureInfo.InvariantCulture),
            "--skipApiVersionCheck",

            // Azurite reports telemetry to Application Insights by default: no traffic leaves this machine, and without
            // a network its pending reports held up a graceful exit for 15 s or more.
            "--disableTelemetry",
        ];

        var process = OperatingSystem.IsWindows()
            ? StartPumped(node, azuriteArgs, logFile)
            : StartDetached(node, azuriteArgs, logFile);
        azuriteProcess = process;
        int pid = process.Id;
        ProcessId = pid;
        pidFile = Path.Combine(root, "azurite.pid");
        await File.WriteAllTextAsync(pidFile, pid.ToString(CultureInfo.InvariantCulture), ct);
        EngineLog.AzuriteStarting(logger, pid, location);

        long started = time.GetTimestamp();
        while (!await IsRunningAsync(ct))
        {
            if (process.HasExited)
            {
                ProcessId = null;
                DeletePidFileIfItHolds(pidFile, pid);
                if (await IsRunningAsync(ct))
                {
                    // Lost a race with an Azurite started outside our lock: use that one.
                    EngineLog.AzuriteReused(logger);
                    return;
                }

                throw new DurableEngineStartException(
                    EngineStartFailure.AzuriteUnavailable,
                    $"Azurite exited at start (exit code {process.ExitCode}). Its log ({logFile}) ends with: {ReadTail(logFile)}. " +
                    "If another program holds ports 10000-10002, stop it, or set Engine:StorageConnectionString.",
                    "Engine:StorageConnectionString");
            }

            if (time.GetElapsedTime(started) > StartTimeout)
            {
                await StopAsync(CancellationToken.None);
                throw new DurableEngineStartException(
                    EngineStartFailure.AzuriteUnavailable,
                    $"Azurite did not open ports 10000-10002 within {StartTimeout.TotalSeconds:0} s; see {logFile}.",
                    "Engine:StorageConnectionString");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(150), time, ct);
        }

        EngineLog.AzuriteStarted(logger, pid, time.GetElapsedTime(started).TotalMilliseconds);
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

    static bool IsAzuriteProcess(int pid)
    {
        if (!ProcessSignals.IsAlive(pid))
        {
            return false;
        }

        string cmdline = Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture), "cmdline");
        if (File.Exists(cmdline))
        {
            try
            {
                return File.ReadAllText(cmdline).Contains("azurite", StringComparison.OrdinalIgnoreCase);
            }
            catch (IOException)
            {
                return false;
            }
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.ProcessName.StartsWith("node", StringComparison.OrdinalIgnoreCase);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    static void DeletePidFileIfItHolds(string? file, int pid)
    {
        try
        {
            if (file is not null && File.Exists(file)
                && File.ReadAllText(file).Trim() == pid.ToString(CultureInfo.InvariantCulture))
            {
                File.Delete(file);
            }
        }
        catch (IOException)
        {
            // Best effort: a stale pid file is detected and ignored on the next stop.
        }
    }

    async Task<FileStream> AcquireStartLockAsync(CancellationToken ct)
    {
        string path = Path.Combine(Path.GetTempPath(), "ivvy-workflows-azurite.lock");
        long started = time.GetTimestamp();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (time.GetElapsedTime(started) < LockTimeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), time, ct);
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
