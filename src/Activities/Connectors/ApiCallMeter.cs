using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace IvvyWorkflows.Activities.Connectors;

/// <summary>Counts remote calls by connector and endpoint, for the run summary and for OpenTelemetry.</summary>
public sealed class ApiCallMeter
{
    public const string MeterName = "IvvyWorkflows";
    public const string ActivitySourceName = "IvvyWorkflows";

    /// <summary>Traces for runs, pages and API calls.</summary>
    public static readonly ActivitySource Tracing = new(ActivitySourceName);

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Calls = Meter.CreateCounter<long>("ivvy_workflows.api.calls", description: "Remote API calls");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("ivvy_workflows.api.duration", "ms");

    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Records one call, e.g. ("ivvy", "contact.getContactList", 200, 153 ms).</summary>
    public void Record(string connector, string endpoint, int status, TimeSpan elapsed)
    {
        var key = $"{connector}:{endpoint}";
        _counts.AddOrUpdate(key, 1, static (_, n) => n + 1);
        var tags = new TagList { { "connector", connector }, { "endpoint", endpoint }, { "status", status } };
        Calls.Add(1, tags);
        Duration.Record(elapsed.TotalMilliseconds, tags);
    }

    /// <summary>Calls so far, keyed "connector:endpoint".</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => new SortedDictionary<string, long>(_counts, StringComparer.Ordinal);

    /// <summary>Takes the counts so far and starts again from zero (an activity reports its own page's calls).</summary>
    public IReadOnlyDictionary<string, long> Drain()
    {
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var key in _counts.Keys)
        {
            if (_counts.TryRemove(key, out var n))
            {
                result[key] = n;
            }
        }

        return result;
    }
}
