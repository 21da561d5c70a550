namespace IvvyWorkflows.Workflows.Definitions;

/// <summary>A definition with everything it refers to, read from its version folder, and the hash of that content.</summary>
/// <param name="Definition">The parsed definition.</param>
/// <param name="DefinitionJson">The definition file's text, as run.</param>
/// <param name="Templates">Template texts by their path in the definition (e.g. "templates/x.scriban").</param>
/// <param name="ContentHash">"sha256:…" over every file of the version folder; a run records it.</param>
/// <param name="Folder">The version folder on disk, when loaded from disk.</param>
public sealed record LoadedWorkflow(
    WorkflowDefinition Definition,
    string DefinitionJson,
    IReadOnlyDictionary<string, string> Templates,
    string ContentHash,
    string? Folder)
{
    /// <summary>"contacts@1".</summary>
    public string Label => $"{Definition.Id}@{Definition.Version}";
}
