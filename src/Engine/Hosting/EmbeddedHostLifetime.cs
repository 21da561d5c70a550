using Microsoft.Extensions.Hosting;

namespace IvvyWorkflows.Engine.Hosting;

/// <summary>
/// A host lifetime that does nothing: the engine's hosts are started and stopped by <see cref="DurableEngine"/>
/// alone, never by Ctrl-C or SIGTERM on their own (the application that embeds the engine decides when to stop,
/// and in which order).
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    /// <inheritdoc />
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
