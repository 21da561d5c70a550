using IvvyWorkflows.Workflows.Orchestrations;
using Microsoft.DurableTask;

namespace IvvyWorkflows.Activities.Sync;

/// <summary>The page activity: syncs and commits pages of one stream (see <see cref="StreamSyncer"/>).</summary>
/// <remarks>At-least-once like every activity: a redo after a crash starts from the last committed cursor.</remarks>
[DurableTask(ActivityNames.SyncPages)]
public sealed class SyncPagesActivity(StreamSyncer syncer) : TaskActivity<SyncPagesRequest, SyncPagesResult>
{
    public override Task<SyncPagesResult> RunAsync(TaskActivityContext context, SyncPagesRequest input) => syncer.RunAsync(input);
}
