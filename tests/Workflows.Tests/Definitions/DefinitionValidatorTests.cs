using System.Text.Json.Nodes;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Workflows.Tests.Definitions;

public class DefinitionValidatorTests
{
    private static JsonObject Contacts() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Workflows, "contacts", "v1", "definition.json")))!.AsObject();

    private static JsonObject SubscriptionGroups() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Workflows, "subscription-groups", "v1", "definition.json")))!.AsObject();

    [Fact]
    public void Validate_PublishedContacts_HasNoErrors()
    {
        Assert.Empty(DefinitionValidator.Validate(Contacts()));
    }

    [Fact]
    public void Validate_RecordStreamWithoutTemplateOrKey_NamesBoth()
    {
        var definition = Contacts();
        definition["streams"]![0]!.AsObject().Remove("map");
        definition["streams"]![0]!["target"]!.AsObject().Remove("externalKey");

        var errors = DefinitionValidator.Validate(definition).Select(e => e.ToString()).ToList();

        Assert.Contains("streams[0].map: required", errors);
        Assert.Contains("streams[0].target.externalKey: required", errors);
    }

    [Fact]
    public void Validate_MembershipStreams_NeedNoTemplateButAnEarlierGroupsStream()
    {
        var definition = SubscriptionGroups();
        Assert.Empty(DefinitionValidator.Validate(definition));

        definition["streams"]![1]!["membership"]!["groups"] = "lists";
        definition["streams"]![2]!["map"] = new JsonObject { ["template"] = "templates/x.scriban" };

        var errors = DefinitionValidator.Validate(definition).Select(e => e.ToString()).ToList();

        Assert.Contains(errors, e => e.StartsWith("streams[1].membership.groups: 'lists' is not an earlier record stream", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("streams[2].map: a membership stream has no template", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_MissingCursor_NamesItsPath()
    {
        var definition = Contacts();
        definition["streams"]![0]!["source"]!.AsObject().Remove("cursor");

        var error = Assert.Single(DefinitionValidator.Validate(definition));

        Assert.Equal("streams[0].source.cursor: required", error.ToString());
    }

    [Fact]
    public void Validate_SeveralErrors_ReportsEveryOneWithItsPath()
    {
        var definition = Contacts();
        definition["version"] = 0;
        definition["streams"]![0]!["target"]!["batchSize"] = 5000;
        definition["streams"]![0]!["map"]!["template"] = "no-extension";
        definition["streams"]![0]!["source"]!["typo"] = true;

        var paths = DefinitionValidator.Validate(definition).Select(e => e.Path).ToList();

        Assert.Contains("version", paths);
        Assert.Contains("streams[0].target.batchSize", paths);
        Assert.Contains("streams[0].map.template", paths);
        Assert.Contains("streams[0].source.typo", paths);
    }

    [Fact]
    public void Validate_UnknownConnector_IsRefused()
    {
        var definition = Contacts();
        definition["streams"]![0]!["target"]!["connector"] = "pipedrive";

        var error = Assert.Single(DefinitionValidator.Validate(definition));

        Assert.Equal("streams[0].target.connector", error.Path);
    }

    [Fact]
    public void Validate_DuplicateStreamNames_AreRefused()
    {
        var definition = Contacts();
        definition["streams"]!.AsArray().Add(definition["streams"]![0]!.DeepClone());

        var error = Assert.Single(DefinitionValidator.Validate(definition));

        Assert.Equal("streams[1].name", error.Path);
    }

    [Fact]
    public void Validate_DesignerBlock_IsIgnored()
    {
        var definition = Contacts();
        definition["designer"] = new JsonObject { ["anything"] = new JsonArray(1, 2, 3) };

        Assert.Empty(DefinitionValidator.Validate(definition));
    }
}
