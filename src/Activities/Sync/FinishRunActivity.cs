using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Workflows.Orchestrations;
using Microsoft.DurableTask;

namespace IvvyWorkflows.Activities.Sync;

/// <summary>Closes a run in the journal as completed or failed, if the calling instance still owns it.</summary>
[DurableTask(ActivityNames.FinishRun)]
public sealed class FinishRunActivity(SqliteStateStore store) : TaskActivity<FinishRunRequest, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, FinishRunRequest input) =>
        store.FinishRunAsync(input.RunId, input.Owner, input.Failed ? RunStatus.Failed : RunStatus.Completed, input.Error,
            input.Failed ? new RunFailureClass(input.Stage, input.ErrorClass) : null);
}
