using System.Text.Json;

namespace IvvyWorkflows.Workflows.Definitions;

/// <summary>
/// A definition frozen for one run: its text, its templates and its content hash, stored in the run journal when the
/// run starts. Activities run this snapshot, so publishing a new version never changes a run in flight.
/// </summary>
public static class PinnedWorkflow
{
    private sealed record Snapshot(string Definition, Dictionary<string, string> Templates, string ContentHash);

    public static string Pin(LoadedWorkflow workflow) =>
        JsonSerializer.Serialize(new Snapshot(workflow.DefinitionJson, workflow.Templates.ToDictionary(), workflow.ContentHash));

    public static LoadedWorkflow Unpin(string pinned)
    {
        var snapshot = JsonSerializer.Deserialize<Snapshot>(pinned) ?? throw new InvalidOperationException("Empty pinned definition.");
        return WorkflowLoader.Load(snapshot.Definition, path => snapshot.Templates.GetValueOrDefault(path), "(pinned definition)", snapshot.ContentHash);
    }
}
