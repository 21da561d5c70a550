namespace IvvyWorkflows.Activities.Tests.Mapping;

/// <summary>Locates the repository the tests run from, so golden cases are read from the real workflows/ folder.</summary>
internal static class RepositoryPaths
{
    /// <summary>The folder holding IvvyWorkflows.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string Workflows => Path.Combine(Root, "workflows");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "IvvyWorkflows.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No IvvyWorkflows.sln above {AppContext.BaseDirectory}.");
    }
}
