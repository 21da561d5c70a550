using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.Mapping;
using IvvyWorkflows.Activities.Sync;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Engine.Service;

/// <summary>How every host loads a definition before running it: the schema, then what the schema cannot check
/// (connectors and objects exist, templates compile), and which modules are switched on, in dependency order.</summary>
public static class CheckedDefinitions
{
    /// <summary>Loads a version and checks what the schema cannot: connectors and objects exist, templates compile.</summary>
    /// <exception cref="DefinitionException">Every problem found, each with its path (templates: line and column).</exception>
    public static LoadedWorkflow LoadChecked(WorkflowCatalog catalog, string module, int? version)
    {
        var loaded = catalog.Load(module, version);
        var errors = ConnectorFactory.Check(loaded.Definition).ToList();
        for (var i = 0; i < loaded.Definition.Streams.Count; i++)
        {
            if (loaded.Definition.Streams[i].Map?.Template is not { } path)
            {
                continue;
            }

            errors.AddRange(MappingTemplate.Check($"{module}/v{loaded.Definition.Version}/{path}", loaded.Templates[path])
                .Select(d => new DefinitionError($"streams[{i}].map.template", d.ToString())));
        }

        errors.AddRange(ConnectorFactory.CheckReadBack(loaded.Definition,
            i => loaded.Folder is null || loaded.Definition.Streams[i].Map?.Template is not { } template ? [] : GoldenCase.OutputFields(loaded.Folder, template)));
        return errors.Count == 0 ? loaded : throw new DefinitionException(Path.Combine(loaded.Folder ?? module, WorkflowLoader.DefinitionFileName), errors);
    }

    /// <summary><see cref="LoadChecked"/>, and what validate and publish ask besides: every template has a golden case and
    /// trips no sandbox limit on samples of its source object (<see cref="TemplateReadiness"/>).</summary>
    /// <exception cref="DefinitionException">Every problem found, each with its path.</exception>
    public static LoadedWorkflow LoadReady(WorkflowCatalog catalog, string module, int version, IReadOnlyList<GoldenCase> golden)
    {
        var loaded = LoadChecked(catalog, module, version);
        var errors = TemplateReadiness.Check(loaded, golden);
        return errors.Count == 0 ? loaded : throw new DefinitionException(Path.Combine(loaded.Folder ?? module, WorkflowLoader.DefinitionFileName), errors);
    }

    /// <summary>The enabled modules, each after the modules it depends on (a booking's contact must be paired before
    /// the booking can be associated with it).</summary>
    public static IReadOnlyList<string> EnabledModules(WorkflowCatalog catalog, IvvyWorkflowsSettings settings)
    {
        var enabled = settings.EnabledModules.Count > 0
            ? settings.EnabledModules
            : catalog.Modules().Where(m => catalog.Load(m).Definition.EnabledByDefault).ToList();
        var ordered = new List<string>();
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        void Visit(string module)
        {
            if (ordered.Contains(module) || !visiting.Add(module))
            {
                return;
            }

            foreach (var dependency in catalog.Load(module).Definition.DependsOn.Where(enabled.Contains))
            {
                Visit(dependency);
            }

            ordered.Add(module);
        }

        foreach (var module in enabled)
        {
            Visit(module);
        }

        return ordered;
    }
}
