using Microsoft.Extensions.Logging;

namespace IvvyWorkflows.Engine.Hosting;

/// <summary>
/// Passes loggers through from the caller's factory, but raises the minimum level of chatty infrastructure
/// categories (the storage backend logs every queue message at Information), so a host's Information log stays
/// about the sync rather than the plumbing.
/// </summary>
internal sealed class CategoryFloorLoggerFactory(ILoggerFactory inner, LogLevel floor, IReadOnlyList<string> categoryPrefixes)
    : ILoggerFactory
{
    /// <summary>Categories quieted by default: the storage backend, the sidecar, Kestrel/ASP.NET Core and gRPC.</summary>
    public static readonly IReadOnlyList<string> InfrastructureCategories =
        ["DurableTask.", "Microsoft.DurableTask.Sidecar", "Microsoft.AspNetCore", "Grpc", "Microsoft.Hosting"];

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName)
    {
        ILogger logger = inner.CreateLogger(categoryName);
        return categoryPrefixes.Any(p => categoryName.StartsWith(p, StringComparison.Ordinal))
            ? new FloorLogger(logger, floor)
            : logger;
    }

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <summary>Does nothing: the inner factory belongs to the caller.</summary>
    public void Dispose()
    {
    }

    sealed class FloorLogger(ILogger inner, LogLevel floor) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= floor && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
