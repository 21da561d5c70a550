namespace IvvyWorkflows.Workflows.Tests;

/// <summary>Finds the repository's folders from the test binaries.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Workflows => Path.Combine(Root, "workflows");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IvvyWorkflows.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("IvvyWorkflows.sln not found above " + AppContext.BaseDirectory);
    }
}
