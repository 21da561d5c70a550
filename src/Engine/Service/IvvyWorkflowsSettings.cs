using System.ComponentModel.DataAnnotations;

namespace IvvyWorkflows.Engine.Service;

/// <summary>Top-level settings of every host, the command and <c>serve</c> (root of appsettings.json / environment variables).</summary>
public sealed class IvvyWorkflowsSettings
{
    /// <summary>Folder for the state store, the sandbox's state and Azurite's data.</summary>
    [Required]
    public string DataDirectory { get; set; } = ".ivvy-workflows";

    /// <summary>The workflows folder; found by walking up from the current folder when empty.</summary>
    public string? WorkflowsDirectory { get; set; }

    /// <summary>Modules switched on for <c>run --all</c> and for <c>serve</c>'s schedules; empty = those whose definition says enabledByDefault.</summary>
    public List<string> EnabledModules { get; set; } = [];

    /// <summary>Print OpenTelemetry traces and metrics to the console.</summary>
    public bool TelemetryConsole { get; set; }

    public string StateStorePath => Path.Combine(DataDirectory, "state.db");

    public string SandboxDirectory => Path.Combine(DataDirectory, "sandbox");

    /// <summary>The workflows folder to use.</summary>
    public string ResolveWorkflowsDirectory()
    {
        if (!string.IsNullOrWhiteSpace(WorkflowsDirectory))
        {
            return Path.GetFullPath(WorkflowsDirectory);
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "workflows");
                if (File.Exists(Path.Combine(candidate, "published.json")))
                {
                    return candidate;
                }
            }
        }

        throw new Workflows.BadInputException("No workflows folder found above the current folder; set WorkflowsDirectory.");
    }
}
