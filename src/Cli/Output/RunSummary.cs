using System.Text.Json;
using System.Text.Json.Serialization;
using IvvyWorkflows.Activities.State;

namespace IvvyWorkflows.Cli.Output;

/// <summary>What a run did, as printed at its end (and as one JSON object with <c>--json</c>).</summary>
public sealed record RunSummary(
    string RunId,
    string Module,
    int Version,
    string ContentHash,
    bool DryRun,
    string Status,
    string? Error,
    long Read,
    long Created,
    long Updated,
    long Unchanged,
    long Quarantined,
    long Pages,
    IReadOnlyDictionary<string, long> ApiCalls,
    double ElapsedSeconds,
    Page<PlannedAction>? Plan = null)
{
    /// <summary>Peak resident memory of this process so far, in MiB (records stream through; this stays flat with size).</summary>
    public long PeakMemoryMb { get; init; } = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static RunSummary From(RunRecord run, TimeSpan elapsed, Page<PlannedAction>? plan = null) => new(
        run.RunId, run.Module, run.Version, run.ContentHash, run.DryRun, run.Status.ToString(), run.Error,
        run.Counters.Read, run.Counters.Created, run.Counters.Updated, run.Counters.Unchanged, run.Counters.Quarantined, run.Counters.Pages,
        run.ApiCalls, Math.Round(elapsed.TotalSeconds, 2), plan);

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
