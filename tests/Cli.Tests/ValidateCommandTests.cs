using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Cli.Commands;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>What `run` and `validate` refuse before any remote call.</summary>
public sealed class ValidateCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ivvy-validate-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void LoadChecked_PublishedContacts_Loads()
    {
        var loaded = CheckedDefinitions.LoadChecked(WorkflowCatalog.Open(SyncTestBed.Workflows), "contacts", null);

        Assert.Equal("contacts@3", loaded.Label); // the newest published version
    }

    [Fact]
    public void LoadChecked_TemplateThatDoesNotParse_NamesLineAndColumn()
    {
        var folder = CopyContacts();
        File.WriteAllText(Path.Combine(folder, "templates", "ivvy-contact-to-hubspot.scriban"), "{\n  \"email\": {{ record.email | json \n}");

        var error = Assert.Throws<DefinitionException>(() => CheckedDefinitions.LoadChecked(WorkflowCatalog.Open(_root), "contacts", 1));

        Assert.NotEmpty(error.Errors);
        Assert.All(error.Errors, problem =>
        {
            Assert.Equal("streams[0].map.template", problem.Path);
            Assert.StartsWith("contacts/v1/templates/ivvy-contact-to-hubspot.scriban(3,1): error:", problem.Message);
        });
    }

    [Fact]
    public void LoadChecked_UnsupportedObject_IsRefusedWithItsPath()
    {
        var folder = CopyContacts();
        var definition = Path.Combine(folder, "definition.json");
        File.WriteAllText(definition, File.ReadAllText(definition).Replace("\"object\": \"contact\"", "\"object\": \"invoice\""));

        var error = Assert.Throws<DefinitionException>(() => CheckedDefinitions.LoadChecked(WorkflowCatalog.Open(_root), "contacts", 1));

        Assert.Equal("streams[0].source", Assert.Single(error.Errors).Path);
    }

    [Fact]
    public void LoadChecked_SchemaError_IsRefusedBeforeAnything()
    {
        var folder = CopyContacts();
        var definition = Path.Combine(folder, "definition.json");
        File.WriteAllText(definition, File.ReadAllText(definition).Replace("\"cursor\": { \"field\": \"modifiedDate\", \"overlapSeconds\": 1 },", ""));

        var error = Assert.Throws<DefinitionException>(() => CheckedDefinitions.LoadChecked(WorkflowCatalog.Open(_root), "contacts", 1));

        Assert.Equal("streams[0].source.cursor: required", Assert.Single(error.Errors).ToString());
        Assert.Contains("definition.json", error.Message);
    }

    [Fact]
    public void EnabledModules_RunAll_PutsEachModuleAfterThoseItDependsOn()
    {
        var catalog = WorkflowCatalog.Open(SyncTestBed.Workflows);

        var ordered = CheckedDefinitions.EnabledModules(catalog, new IvvyWorkflowsSettings { EnabledModules = ["bookings", "contacts", "companies"] });

        Assert.Equal(["contacts", "companies", "bookings"], ordered);
        Assert.DoesNotContain("bookings", CheckedDefinitions.EnabledModules(catalog, new IvvyWorkflowsSettings())); // optional: off by default
    }

    private string CopyContacts()
    {
        var from = Path.Combine(SyncTestBed.Workflows, "contacts", "v1");
        var to = Path.Combine(_root, "contacts", "v1");
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return to;
    }
}
