using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Workflows.Tests.Definitions;

public sealed class WorkflowCatalogTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ivvy-catalog-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void VerifyPublished_RepositoryWorkflows_AreUnchanged()
    {
        // A published version is immutable: a change must go into a new version folder and be published.
        var catalog = WorkflowCatalog.Open(RepoPaths.Workflows);

        Assert.NotEmpty(catalog.Published);
        Assert.Empty(catalog.VerifyPublished());
    }

    [Fact]
    public void Load_EveryRepositoryVersion_IsValid()
    {
        var catalog = WorkflowCatalog.Open(RepoPaths.Workflows);

        foreach (var module in catalog.Modules())
        {
            foreach (var version in catalog.Versions(module))
            {
                var loaded = catalog.Load(module, version);
                Assert.Equal(version, loaded.Definition.Version);
                Assert.StartsWith("sha256:", loaded.ContentHash);
            }
        }
    }

    [Fact]
    public void VerifyPublished_ContentChangedAfterPublishing_NamesTheVersion()
    {
        var folder = CopyContacts();
        var catalog = WorkflowCatalog.Open(_root);
        catalog.Publish("contacts", 1);

        File.AppendAllText(Path.Combine(folder, "templates", "ivvy-contact-to-hubspot.scriban"), "\n{{# changed }}");

        var problem = Assert.Single(WorkflowCatalog.Open(_root).VerifyPublished());
        Assert.StartsWith("contacts/v1: published as sha256:", problem);
    }

    [Fact]
    public void VerifyPublished_OneModule_IgnoresAnotherModulesDrift()
    {
        var folder = CopyContacts();
        var companies = Path.Combine(_root, "companies", "v1");
        CopyDirectory(Path.Combine(RepoPaths.Workflows, "companies", "v1"), companies);
        var catalog = WorkflowCatalog.Open(_root);
        catalog.Publish("contacts", 1);
        WorkflowCatalog.Open(_root).Publish("companies", 1);

        File.AppendAllText(Path.Combine(folder, "templates", "ivvy-contact-to-hubspot.scriban"), "\n{{# changed }}");

        Assert.Empty(WorkflowCatalog.Open(_root).VerifyPublished("companies"));
        Assert.StartsWith("contacts/v1:", Assert.Single(WorkflowCatalog.Open(_root).VerifyPublished("contacts")), StringComparison.Ordinal);
        Assert.Single(WorkflowCatalog.Open(_root).VerifyPublished());
    }

    [Fact]
    public void Publish_SameVersionWithOtherContent_IsRefused()
    {
        var folder = CopyContacts();
        WorkflowCatalog.Open(_root).Publish("contacts", 1);
        File.AppendAllText(Path.Combine(folder, "templates", "ivvy-contact-to-hubspot.scriban"), "\n");

        var error = Assert.Throws<BadInputException>(() => WorkflowCatalog.Open(_root).Publish("contacts", 1));
        Assert.Contains("v2", error.Message);
    }

    [Fact]
    public void Load_NewestPublished_IsPreferredOverANewerDraft()
    {
        CopyContacts();
        var v2 = Path.Combine(_root, "contacts", "v2");
        CopyDirectory(Path.Combine(_root, "contacts", "v1"), v2);
        File.WriteAllText(Path.Combine(v2, "definition.json"), File.ReadAllText(Path.Combine(v2, "definition.json")).Replace("\"version\": 1", "\"version\": 2"));
        WorkflowCatalog.Open(_root).Publish("contacts", 1);

        var catalog = WorkflowCatalog.Open(_root);

        Assert.Equal(1, catalog.Load("contacts").Definition.Version);
        Assert.Equal(2, catalog.Load("contacts", 2).Definition.Version);
    }

    [Fact]
    public void LoadFolder_MissingTemplate_NamesTheDefinitionPath()
    {
        var folder = CopyContacts();
        File.Delete(Path.Combine(folder, "templates", "ivvy-contact-to-hubspot.scriban"));

        var error = Assert.Throws<DefinitionException>(() => WorkflowLoader.LoadFolder(folder));

        var problem = Assert.Single(error.Errors);
        Assert.Equal("streams[0].map.template", problem.Path);
        Assert.Contains("does not exist", problem.Message);
    }

    [Fact]
    public void LoadFolder_VersionNotMatchingItsFolder_IsRefused()
    {
        var folder = CopyContacts();
        File.WriteAllText(Path.Combine(folder, "definition.json"), File.ReadAllText(Path.Combine(folder, "definition.json")).Replace("\"version\": 1", "\"version\": 3"));

        var error = Assert.Throws<DefinitionException>(() => WorkflowLoader.LoadFolder(folder));

        Assert.Equal("version", Assert.Single(error.Errors).Path);
    }

    [Fact]
    public void LoadFolder_InvalidJson_SaysWhere()
    {
        var folder = CopyContacts();
        File.WriteAllText(Path.Combine(folder, "definition.json"), "{\n  \"id\": \"contacts\",\n  oops\n}");

        var error = Assert.Throws<DefinitionException>(() => WorkflowLoader.LoadFolder(folder));

        Assert.StartsWith("(json line 3", Assert.Single(error.Errors).Path);
    }

    [Fact]
    public void PinnedWorkflow_RoundTrips_WithTheSameHash()
    {
        var loaded = WorkflowLoader.LoadFolder(CopyContacts());

        var unpinned = PinnedWorkflow.Unpin(PinnedWorkflow.Pin(loaded));

        Assert.Equal(loaded.ContentHash, unpinned.ContentHash);
        Assert.Equal(loaded.Templates, unpinned.Templates);
        Assert.Equal(loaded.Definition.Streams[0].Name, unpinned.Definition.Streams[0].Name);
    }

    private string CopyContacts()
    {
        var target = Path.Combine(_root, "contacts", "v1");
        CopyDirectory(Path.Combine(RepoPaths.Workflows, "contacts", "v1"), target);
        return target;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
