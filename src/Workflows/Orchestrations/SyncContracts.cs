namespace IvvyWorkflows.Workflows.Orchestrations;

/// <summary>Input of <see cref="SyncRunOrchestrator"/>: which run, which stream it is on, and how many pages the
/// previous generations did. Small on purpose: the pinned definition lives in the run journal, not in history.</summary>
/// <param name="RunId">The run in the state store.</param>
/// <param name="Module">Module id, for logs.</param>
/// <param name="Version">Definition version, for logs.</param>
/// <param name="ContentHash">The pinned definition's content hash, for logs and for reading an instance's input. The activities
/// take the definition from the run journal (the pin <c>RunId</c> names), never from this input or the workflows folder.</param>
/// <param name="StreamCount">Streams in the pinned definition.</param>
/// <param name="StreamIndex">The stream to continue with.</param>
/// <param name="Generation">How many times the orchestration has continued as new.</param>
public sealed record SyncRunInput(string RunId, string Module, int Version, string ContentHash, int StreamCount, int StreamIndex = 0, int Generation = 0);

/// <summary>Input of the page activity: sync pages of one stream of a run, committing each.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Owner">The orchestration instance that owns the run (the fencing token checked at every commit).</param>
/// <param name="StreamIndex">Which stream of the pinned definition.</param>
public sealed record SyncPagesRequest(string RunId, string Owner, int StreamIndex);

/// <summary>What a page activity did. Counts are for progress only; the run's totals are the committed ones in the store.</summary>
/// <param name="Pages">Pages committed by this call.</param>
/// <param name="Read">Records read in those pages.</param>
/// <param name="StreamDone">The stream's window is fully read and committed.</param>
/// <param name="Superseded">Another orchestration instance owns the run now; this one must stop.</param>
/// <param name="Fatal">A failure no retry can fix (wrong credentials, bad settings), with the message for the user.</param>
/// <param name="FatalStage">Where the fatal failure happened: "fetch", "map" or "upsert".</param>
/// <param name="FatalClass">Its class as the pipeline classified it (the connectors' failure kind, or "Template").</param>
public sealed record SyncPagesResult(int Pages, int Read, bool StreamDone, bool Superseded = false, string? Fatal = null,
    string? FatalStage = null, string? FatalClass = null);

/// <summary>Input of the activity that closes a run in the journal; a failed run's stage and error class go with it.</summary>
public sealed record FinishRunRequest(string RunId, string Owner, bool Failed, string? Error, string? Stage = null, string? ErrorClass = null);

/// <summary>How the run ended, as the orchestration's output.</summary>
public sealed record SyncRunOutcome(string RunId, string Status, string? Error);

/// <summary>Names the orchestrator uses to call activities (activities live in the Activities project).</summary>
public static class ActivityNames
{
    public const string SyncPages = "SyncPages";
    public const string FinishRun = "FinishRun";
}
