using System.Collections.Concurrent;
using IvvyWorkflows.Activities.Mapping;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Activities.Sync;

/// <summary>A pinned definition with its templates compiled once, shared by every page of every run that pinned it.</summary>
public sealed record CompiledWorkflow(LoadedWorkflow Workflow, IReadOnlyDictionary<string, MappingTemplate> Templates);

/// <summary>Compiled workflows by content hash: a page activity unpins and compiles a definition once per process.</summary>
public sealed class CompiledWorkflowCache
{
    private readonly ConcurrentDictionary<string, Lazy<CompiledWorkflow>> _compiled = new(StringComparer.Ordinal);

    public CompiledWorkflow Get(string contentHash, string pinned) =>
        _compiled.GetOrAdd(contentHash, _ => new Lazy<CompiledWorkflow>(() => Compile(PinnedWorkflow.Unpin(pinned)))).Value;

    /// <summary>Compiles every template of <paramref name="workflow"/>.</summary>
    /// <exception cref="TemplateCompileException">A template does not parse; its diagnostics give line and column.</exception>
    public static CompiledWorkflow Compile(LoadedWorkflow workflow)
    {
        var templates = workflow.Templates.ToDictionary(
            t => t.Key,
            t => MappingTemplate.Compile($"{workflow.Definition.Id}/v{workflow.Definition.Version}/{t.Key}", t.Value),
            StringComparer.Ordinal);
        return new CompiledWorkflow(workflow, templates);
    }
}
