using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace IvvyWorkflows.Sandbox.Control;

/// <summary>Names a request for the call journal, the same way for every simulator.</summary>
internal static class EndpointNames
{
    /// <summary>Prefix of the control endpoints, which are neither journaled, delayed nor faulted.</summary>
    public const string ControlPrefix = "/__sandbox__";

    /// <summary>
    /// RPC-style calls (<c>/api/1.0/contact?action=getContactList</c>) are named "namespace.action"; REST calls are named
    /// "METHOD path" with numeric path segments folded to <c>{id}</c> so one endpoint keeps one counter.
    /// </summary>
    public static string Of(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        if (path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase)
            && request.Query.TryGetValue("action", out var action) && !string.IsNullOrEmpty(action))
        {
            var ns = path.TrimEnd('/');
            ns = ns[(ns.LastIndexOf('/') + 1)..];
            return $"{ns}.{action}";
        }

        var segments = path.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i].Length > 0 && long.TryParse(segments[i], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                segments[i] = "{id}";
            }
        }

        return $"{request.Method} {string.Join('/', segments)}";
    }
}
