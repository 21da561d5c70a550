using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Sync;
using IvvyWorkflows.Activities.Tests.Mapping;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Activities.Tests.Sync;

/// <summary>What the schema cannot say about connectors: which objects exist, what one venue needs, what a membership stream is.</summary>
public sealed class ConnectorCheckTests
{
    [Fact]
    public void Check_EveryPublishedModule_HasNoErrors()
    {
        var catalog = WorkflowCatalog.Open(RepositoryPaths.Workflows);
        foreach (var module in new[] { "contacts", "companies", "contact-emails", "events", "attendees", "registrations", "bookings", "subscription-groups" })
        {
            Assert.Empty(ConnectorFactory.Check(catalog.Load(module).Definition));
        }
    }

    [Fact]
    public void Check_OneVenueWithoutItsId_NamesTheMissingRequestParameter()
    {
        var definition = Edit("bookings", d => d["streams"]![0]!["source"]!["object"] = "venueBooking");

        var error = Assert.Single(ConnectorFactory.Check(definition));

        Assert.Equal("streams[0].source.request.venueId", error.Path);
    }

    [Fact]
    public void Check_MembershipTargetWithoutMembershipBlock_IsRefused()
    {
        var definition = Edit("subscription-groups", d =>
        {
            var stream = d["streams"]![1]!.AsObject();
            stream.Remove("membership");
            stream["map"] = new JsonObject { ["template"] = "templates/ivvy-group-to-hubspot-list.scriban" };
            stream["target"]!["externalKey"] = new JsonObject { ["property"] = "listId" };
        });

        Assert.Contains(ConnectorFactory.Check(definition), e => e.Path == "streams[1].membership");
    }

    private static WorkflowDefinition Edit(string module, Action<JsonNode> edit)
    {
        var loaded = WorkflowCatalog.Open(RepositoryPaths.Workflows).Load(module);
        var json = JsonNode.Parse(loaded.DefinitionJson)!;
        edit(json);
        return WorkflowLoader.Load(json.ToJsonString(), path => loaded.Templates.GetValueOrDefault(path), module, "sha256:edited").Definition;
    }
}
