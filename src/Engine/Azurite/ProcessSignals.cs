using System.Diagnostics;
using System.Runtime.InteropServices;

namespace IvvyWorkflows.Engine.Azurite;

/// <summary>Graceful termination of a process by id, which <see cref="Process.Kill()"/> cannot do on Unix.</summary>
internal static class ProcessSignals
{
    const int SigTerm = 15;

    /// <summary>
    /// Asks a process to exit: SIGTERM on Unix (Azurite saves its databases on it); on Windows, where no such signal
    /// exists for a console process we do not share a console with, it is killed.
    /// </summary>
    /// <returns>False when no such process exists any more.</returns>
    public static bool RequestExit(int processId)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                using var process = Process.GetProcessById(processId);
                process.Kill(entireProcessTree: true);
                return true;
            }
            catch (ArgumentException)
            {
                return false;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        return Kill(processId, SigTerm) == 0;
    }

    /// <summary>Kills a process at once (SIGKILL): the last resort when it ignored <see cref="RequestExit"/>.</summary>
    public static void ForceKill(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            process.Kill(entireProcessTree: true);
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>True while a process with this id exists.</summary>
    public static bool IsAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Waits until the process has exited or the timeout passes.</summary>
    /// <returns>True when the process is gone.</returns>
    public static async Task<bool> WaitForExitAsync(int processId, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        long started = time.GetTimestamp();
        while (IsAlive(processId))
        {
            if (time.GetElapsedTime(started) >= timeout)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
        }

        return true;
    }

    // Plain DllImport: int arguments are blittable, so no marshalling code (and no unsafe code) is generated.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    static extern int Kill(int pid, int signal);
}
