using System.Text.RegularExpressions;
using IvvyWorkflows.Activities.Mapping;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>The statements of the READMEs and docs that name code, checked against the code, so they cannot drift apart.</summary>
public sealed partial class DocumentationTests
{
    private static readonly string Root = SyncTestBed.Root;

    [Fact]
    public void ReadmeDiagram_NamesTheDefaultContactsVersion()
    {
        var version = WorkflowCatalog.Open(SyncTestBed.Workflows).Load("contacts").Definition.Version;

        var diagram = File.ReadAllText(Path.Combine(Root, "README.md"));

        Assert.Contains($" workflows/contacts/v{version} │", diagram, StringComparison.Ordinal);
    }

    [Fact]
    public void DocsPaths_NamedInCodeAndDocs_Exist()
    {
        var missing = SourceAndDocFiles()
            .SelectMany(file => DocsPath().Matches(File.ReadAllText(file)).Select(m => (File: Path.GetRelativePath(Root, file), Doc: m.Value)))
            .Where(reference => !File.Exists(Path.Combine(Root, reference.Doc)))
            .Select(reference => $"{reference.File} → {reference.Doc}")
            .Distinct()
            .ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void ReadmeCodeSamples_RegisterTypesThatExist()
    {
        var types = new[] { typeof(MappingTemplate).Assembly, typeof(WorkflowCatalog).Assembly, typeof(Engine.DurableEngine).Assembly }
            .SelectMany(a => a.GetTypes())
            .Select(t => t.Name)
            .ToHashSet(StringComparer.Ordinal);

        var unknown = Readmes()
            .SelectMany(file => Registration().Matches(File.ReadAllText(file)).Select(m => (File: Path.GetRelativePath(Root, file), Type: m.Groups[1].Value)))
            .Where(r => !types.Contains(r.Type))
            .Select(r => $"{r.File} names {r.Type}")
            .ToList();

        Assert.Empty(unknown);
    }

    [Fact]
    public void MappingReadme_StatesTheSandboxDefaults()
    {
        var defaults = new MappingTemplateOptions();
        var readme = File.ReadAllText(Path.Combine(Root, "src", "Activities", "Mapping", "README.md"));

        Assert.Contains($"{defaults.LoopLimit} loop iterations", readme, StringComparison.Ordinal);
        Assert.Contains($"call depth {defaults.RecursiveLimit}", readme, StringComparison.Ordinal);
        Assert.Contains($"{defaults.LimitToString:N0} characters", readme, StringComparison.Ordinal);
        Assert.Contains($"{defaults.RenderTimeout.TotalSeconds:0} s per render", readme, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Readmes() => SourceAndDocFiles().Where(f => f.EndsWith(".md", StringComparison.Ordinal));

    private static IEnumerable<string> SourceAndDocFiles() =>
        new[] { "src", "bench", "docs", "tests" }
            .Select(folder => Path.Combine(Root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories))
            .Append(Path.Combine(Root, "README.md"))
            .Where(f => f.EndsWith(".md", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains("node_modules", StringComparison.Ordinal));

    [GeneratedRegex(@"(?<![\w/.])docs/[\w\-]+\.md")]
    private static partial Regex DocsPath();

    [GeneratedRegex(@"Add(?:Activity|Orchestrator)<(\w+)>")]
    private static partial Regex Registration();
}
