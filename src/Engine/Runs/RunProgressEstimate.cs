using System.Text.Json;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Activities.Sync;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Engine.Runs;

/// <summary>How far a run has got, from its committed cursors: what the command's progress bar and the console's live
/// progress both show.</summary>
public static class RunProgressEstimate
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Each stream's committed read cursor (null before its first page), in definition order.</summary>
    public static async Task<IReadOnlyList<(string Stream, ReadCursor? Cursor)>> CursorsAsync(SqliteStateStore store, RunRecord run)
    {
        var scope = run.DryRun ? run.RunId : StreamSyncer.LiveScope;
        var cursors = new List<(string, ReadCursor?)>();
        foreach (var stream in PinnedWorkflow.Unpin(run.PinnedDefinition).Definition.Streams)
        {
            var stored = await store.GetCursorAsync(scope, run.Module, stream.Name);
            cursors.Add((stream.Name, stored is { } s ? JsonSerializer.Deserialize<ReadCursor>(s.Cursor, Json) : null));
        }

        return cursors;
    }

    /// <summary>Done so far plus what the open windows still hold (a window shrinks as records leave it); null until a
    /// window says its size.</summary>
    public static async Task<long?> TotalAsync(SqliteStateStore store, RunRecord run)
    {
        long? remaining = null;
        foreach (var (_, cursor) in await CursorsAsync(store, run))
        {
            if (cursor is { Total: { } total, Complete: false })
            {
                remaining = (remaining ?? 0) + Math.Max(0, total - cursor.Offset);
            }
        }

        return remaining is null ? null : run.Counters.Read + remaining;
    }
}
