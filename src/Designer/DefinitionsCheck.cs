using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Designer;

/// <summary>Refuses to start with an enabled module whose definition is bad (schema, connectors, templates), as
/// <c>run</c> does: the error names the file and each problem's path. (Golden cases are <c>validate</c>'s and
/// <c>publish</c>'s: a published version passed them.)</summary>
public sealed class DefinitionsCheck(WorkflowCatalog catalog, ServedModules served) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var module in served.Enabled)
        {
            CheckedDefinitions.LoadChecked(catalog, module, null);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
