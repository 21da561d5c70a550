using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace IvvyWorkflows.Workflows.Orchestrations;

/// <summary>
/// The one generic pipeline: for each stream of the pinned definition, call the page activity (fetch → diff → map →
/// upsert → commit, one page at a time) until the stream's window is read, then close the run.
/// </summary>
/// <remarks>
/// Replay-safe: only activity calls, <c>ContinueAsNew</c> and replay-safe logging. History stays bounded: every
/// <see cref="ContinueAsNewEveryCalls"/> activity calls the orchestration continues as new, carrying only its position;
/// the sync's progress (cursor, links, counters) is in the state store, committed with each page. Activities are
/// retried by a durable policy for transient failures; a fatal failure (credentials, settings) ends the run at once.
/// </remarks>
public sealed class SyncRunOrchestrator : TaskOrchestrator<SyncRunInput, SyncRunOutcome?>
{
    /// <summary>Activity calls per generation; each commits one or more pages, so history never holds more than this many.</summary>
    public const int ContinueAsNewEveryCalls = 20;

    /// <summary>Attempts of one activity call (each with the connectors' own bounded retries) before the run stops.</summary>
    public const int ActivityAttempts = 5;

    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: ActivityAttempts, firstRetryInterval: TimeSpan.FromSeconds(5), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromMinutes(2)));

    public override async Task<SyncRunOutcome?> RunAsync(TaskOrchestrationContext context, SyncRunInput input)
    {
        var log = context.CreateReplaySafeLogger<SyncRunOrchestrator>();
        var owner = context.InstanceId;
        var streamIndex = input.StreamIndex;
        try
        {
            for (var calls = 0; streamIndex < input.StreamCount; calls++)
            {
                if (calls == ContinueAsNewEveryCalls)
                {
                    OrchestrationLog.ContinuedAsNew(log, input.RunId, input.Module, input.Version, input.Generation + 1);
                    context.ContinueAsNew(input with { StreamIndex = streamIndex, Generation = input.Generation + 1 }, preserveUnprocessedEvents: false);
                    return null;
                }

                var result = await context.CallActivityAsync<SyncPagesResult>(ActivityNames.SyncPages, new SyncPagesRequest(input.RunId, owner, streamIndex), Retry);
                if (result.Superseded)
                {
                    OrchestrationLog.Superseded(log, input.RunId, input.Module, input.Version, owner);
                    return new SyncRunOutcome(input.RunId, "Superseded", null);
                }

                if (result.Fatal is not null)
                {
                    return await FinishAsync(context, input, owner, result.Fatal, result.FatalStage, result.FatalClass);
                }

                if (result.StreamDone)
                {
                    streamIndex++;
                }
            }
        }
        catch (TaskFailedException e)
        {
            // Retries exhausted: record the failure so operators see it; the committed progress stays for a resume.
            return await FinishAsync(context, input, owner, RetriesUsedUp(input, e.FailureDetails.ErrorMessage), "run",
                e.FailureDetails.ErrorType[(e.FailureDetails.ErrorType.LastIndexOf('.') + 1)..]);
        }

        return await FinishAsync(context, input, owner, null);
    }

    /// <summary>The run's last error once retrying is over: the last failure, and that nothing retries it any more (the
    /// connectors' messages describe the failure, never a retry still to come).</summary>
    public static string RetriesUsedUp(SyncRunInput input, string lastError) =>
        $"{lastError.TrimEnd()} The run stopped after {ActivityAttempts} attempts; `ivvy-workflows run {input.Module}` continues it from its last committed page.";

    private static async Task<SyncRunOutcome> FinishAsync(TaskOrchestrationContext context, SyncRunInput input, string owner, string? error,
        string? stage = null, string? errorClass = null)
    {
        await context.CallActivityAsync(ActivityNames.FinishRun, new FinishRunRequest(input.RunId, owner, error is not null, error, stage, errorClass), Retry);
        // Completed means the window was read; the journal says CompletedWithErrors when records were quarantined.
        return new SyncRunOutcome(input.RunId, error is null ? "Completed" : "Failed", error);
    }
}
