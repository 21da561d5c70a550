using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace IvvyWorkflows.Engine;

/// <summary>
/// Watches the durable engine's storage while the engine runs: once a second it checks that the storage's queue
/// endpoint accepts connections. A managed Azurite that died is restarted once when that is safe (see
/// <see cref="AzuriteLauncher.TryRestartAsync"/>), and what it lost of the task hub is restored before
/// <see cref="Restarts"/> says so; storage that stays away for
/// <see cref="DurableEngineOptions.StorageLossTimeout"/> cancels <see cref="Lost"/>.
/// </summary>
/// <remarks>Without it, a run whose storage went away waited for ever: the storage SDK retries each call, and the
/// orchestration never moves again.</remarks>
public sealed class StorageWatch : IAsyncDisposable
{
    static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);
    static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    readonly string host;
    readonly int port;
    readonly AzuriteLauncher? launcher;
    readonly string? dataDirectory;
    readonly Func<CancellationToken, Task> restoreAfterRestart;
    readonly ILogger logger;
    readonly TimeProvider time;
    readonly CancellationTokenSource lost = new();
    readonly CancellationTokenSource stop = new();
    readonly Task loop;
    int restarts;

    internal StorageWatch(
        Uri queueEndpoint, TimeSpan bound, AzuriteLauncher? launcher, string? dataDirectory,
        Func<CancellationToken, Task> restoreAfterRestart, ILogger logger, TimeProvider time)
    {
        host = queueEndpoint.Host;
        port = queueEndpoint.Port;
        Bound = bound;
        this.launcher = launcher;
        this.dataDirectory = dataDirectory;
        this.restoreAfterRestart = restoreAfterRestart;
        this.logger = logger;
        this.time = time;
        loop = Task.Run(WatchAsync);
    }

    /// <summary>How long the storage may stay away before <see cref="Lost"/> is cancelled.</summary>
    public TimeSpan Bound { get; }

    /// <summary>Cancelled when the storage has not answered for <see cref="Bound"/>.</summary>
    public CancellationToken Lost => lost.Token;

    /// <summary>How many times a dead Azurite was restarted (0 or 1); work in flight should be resumed after one.</summary>
    public int Restarts => Volatile.Read(ref restarts);

    /// <summary>Throws <see cref="DurableEngineStorageLostException"/> when <see cref="Lost"/> is cancelled.</summary>
    public void ThrowIfLost()
    {
        if (!lost.IsCancellationRequested)
        {
            return;
        }

        string seconds = $"{Bound.TotalSeconds:0} s";
        string again = Restarts > 0 ? ", even after it was restarted once" : "";
        throw new DurableEngineStorageLostException(launcher is not null
            ? $"The durable engine's storage went away: the local Azurite of {dataDirectory} ({host}:{port}) has not " +
              $"answered for {seconds}{again}. Nothing committed is lost: run the same command again (it starts Azurite " +
              "again; see azurite.log in that folder if it will not start) and the run resumes from its last committed page."
            : $"The durable engine's storage went away: {host}:{port} (Engine:StorageConnectionString) has not answered " +
              $"for {seconds}. Nothing committed is lost: start that storage again (an Azurite of your own with the same " +
              "--location and ports) or fix Engine:StorageConnectionString, then run the same command again and the run " +
              "resumes from its last committed page.");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
    }

    async Task WatchAsync()
    {
        long? awaySince = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (await AnswersAsync())
                {
                    if (awaySince is not null)
                    {
                        EngineLog.StorageAnswersAgain(logger, $"{host}:{port}");
                    }

                    awaySince = null;
                }
                else
                {
                    if (awaySince is null)
                    {
                        awaySince = time.GetTimestamp();
                        EngineLog.StorageNotAnswering(logger, $"{host}:{port}", Bound.TotalSeconds);
                    }

                    if (launcher is not null && await launcher.TryRestartAsync(stop.Token))
                    {
                        if (!await TryRestoreAsync())
                        {
                            return;
                        }

                        Interlocked.Increment(ref restarts);
                        awaySince = null;
                        continue;
                    }

                    if (time.GetElapsedTime(awaySince.Value) >= Bound)
                    {
                        await lost.CancelAsync();
                        return;
                    }
                }

                await Task.Delay(ProbeInterval, time, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (DurableEngineStartException)
            {
                // The restart failed (its reason is in azurite.log): the bound decides, as for any other outage.
            }
        }
    }

    /// <summary>Restores the task hub in the restarted storage; when that fails the storage counts as lost at once,
    /// since nothing can run on it.</summary>
    async Task<bool> TryRestoreAsync()
    {
        try
        {
            await restoreAfterRestart(stop.Token);
            return true;
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            EngineLog.TaskHubRestoreFailed(logger, ex);
            await lost.CancelAsync();
            return false;
        }
    }

    async Task<bool> AnswersAsync()
    {
        using var tcp = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await tcp.ConnectAsync(host, port, timeout.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return false;
        }
    }
}

/// <summary>The durable engine's storage went away for longer than <see cref="DurableEngineOptions.StorageLossTimeout"/>.
/// The message says what went away and how to start it again; nothing committed is lost.</summary>
public sealed class DurableEngineStorageLostException(string message) : Exception(message);
