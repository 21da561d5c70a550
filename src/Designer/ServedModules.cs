using System.Collections.Concurrent;
using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Workflows.Definitions;
using Microsoft.Extensions.Options;

namespace IvvyWorkflows.Designer;

/// <summary>The modules this process serves: which are enabled (in dependency order) and the version each would run,
/// loaded once. The catalog's published versions are read when it opens and never change, so neither does this.</summary>
public sealed class ServedModules(WorkflowCatalog catalog, IOptions<IvvyWorkflowsSettings> settings)
{
    private readonly Lazy<IReadOnlyList<string>> _enabled = new(() => CheckedDefinitions.EnabledModules(catalog, settings.Value));
    private readonly ConcurrentDictionary<string, LoadedWorkflow?> _newest = new(StringComparer.Ordinal);

    /// <summary>The enabled modules, each after those it depends on.</summary>
    public IReadOnlyList<string> Enabled => _enabled.Value;

    /// <summary>Every module of the catalog.</summary>
    public IReadOnlyList<string> All { get; } = catalog.Modules();

    /// <summary>The version a run started now would pin, or null when the module's definition does not load.</summary>
    public LoadedWorkflow? Newest(string module) =>
        _newest.GetOrAdd(module, m =>
        {
            try
            {
                return catalog.Load(m);
            }
            catch (Exception e) when (e is DefinitionException or InvalidOperationException)
            {
                return null;
            }
        });
}
