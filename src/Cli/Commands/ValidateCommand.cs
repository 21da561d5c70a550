using Spectre.Console;
using IvvyWorkflows.Activities.Mapping;
using IvvyWorkflows.Cli.Output;
using IvvyWorkflows.Engine.Service;
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
                    var loaded = CheckedDefinitions.LoadReady(catalog, id, version, golden);
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
            CheckedDefinitions.LoadReady(catalog, module, version, GoldenCase.Discover(catalog.Root));
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
}
