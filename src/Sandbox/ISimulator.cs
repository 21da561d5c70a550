using Microsoft.AspNetCore.Routing;

namespace IvvyWorkflows.Sandbox;

/// <summary>A stateful simulator of one remote API, hosted by <see cref="SandboxHost"/> on its own origin.</summary>
/// <remarks>
/// The host wraps every simulator in the same generic controls (latency, armed faults, call journal; see
/// <c>IvvyWorkflows.Sandbox.Control</c>); a simulator only maps its API and answers for the faults the host injects.
/// </remarks>
public interface ISimulator : IAsyncDisposable
{
    /// <summary>Short lowercase name: "ivvy" or "hubspot". Its own control endpoints live under <c>/__sandbox__/{Name}/…</c>.</summary>
    string Name { get; }

    /// <summary>Maps the simulator's API and its own control endpoints (under <c>/__sandbox__/{Name}/…</c>).</summary>
    void MapEndpoints(IEndpointRouteBuilder app);

    /// <summary>The body the real API sends with an injected fault of HTTP <paramref name="status"/> (JSON).</summary>
    /// <param name="status">401, 403, 429, 500, 502, 503 or 504.</param>
    /// <param name="retryAfter">The Retry-After the host sends as a header, when one is armed.</param>
    /// <returns>The HTTP status to answer and the JSON body.</returns>
    (int Status, string Body) FaultResponse(int status, TimeSpan? retryAfter);
}
