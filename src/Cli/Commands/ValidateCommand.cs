using Spectre.Console;
using IvvyWorkflows.Activities.Mapping;
using IvvyWorkflows.Activities.Sync;
using IvvyWorkflows.Cli.Output;
using IvvyWorkflows.Workflows;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Cli.Commands;

/// <summary><c>validate</c>: every version of every module against the schema and the connectors, every template
/// compiled, every golden case run, every published version checked unchanged.</summary>
public static class ValidateCommand
{
    public static async Task<int> RunAsync(string? module, bool verbose, CancellationToken cancellationToken)
    {
        var view = new ConsoleView(json: false);
        using var host = await CliHost.StartAsync(verbose, cancellationToken);
        var catalog = WorkflowCatalog.Open(host.Settings().ResolveWorkflowsDirectory());
        var failures = 0;
        var golden = GoldenCase.Discover(catalog.Root);
        if (module is not null && catalog.Versions(module).Count == 0)
        {
            view.Error($"no module '{module}' (known: {string.Join(", ", catalog.Modules())})");
            return ExitCodes.BadInput;
        }

        foreach (var id in module is null ? catalog.Modules() : [module])
        {
            foreach (var version in catalog.Versions(id))
            {
                try
                {
                    var loaded = LoadReady(catalog, id, version, golden);
                    view.Console.MarkupLineInterpolated($"[green]✓[/] {loaded.Label} {(catalog.IsPublished(id, version) ? "published" : "draft")} {loaded.ContentHash}");
                }
                catch (DefinitionException e)
                {
                    failures++;
                    view.Error(e.Message);
                }
            }
        }

        foreach (var outcome in golden.Where(c => module is null || c.Module == module).Select(c => c.Run()))
        {
            if (outcome.Passed)
            {
                view.Console.MarkupLineInterpolated($"[green]✓[/] golden {outcome.Case.Id}");
            }
            else
            {
                failures++;
                view.Error($"golden {outcome.Case.Id}: {outcome.Message}");
            }
        }

        foreach (var problem in catalog.VerifyPublished(module))
        {
            failures++;
            view.Error(problem);
        }

        if (failures == 0)
        {
            view.Console.MarkupLine("[green]All definitions are valid.[/]");
        }
        else
        {
            view.Console.MarkupLineInterpolated($"[red]{failures} problem(s).[/]");
        }

        return failures == 0 ? 0 : 1;
    }

    /// <summary><c>publish</c>: a checked version's content hash goes into published.json; from then on it never changes.</summary>
    public static async Task<int> PublishAsync(string module, int version, bool verbose, CancellationToken cancellationToken)
    {
        var view = new ConsoleView(json: false);
        using var host = await CliHost.StartAsync(verbose, cancellationToken);
        var catalog = WorkflowCatalog.Open(host.Settings().ResolveWorkflowsDirectory());
        try
        {
            LoadReady(catalog, module, version, GoldenCase.Discover(catalog.Root));
            var published = catalog.Publish(module, version);
            view.Console.MarkupLineInterpolated($"[green]✓[/] {published.Label} published as {published.ContentHash}");
            return 0;
        }
        catch (BadInputException e)
        {
            view.Error(e.Message);
            return 1;
        }
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
}
