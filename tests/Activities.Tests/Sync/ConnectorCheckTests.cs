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

    [Theory]
    [InlineData("crm", "propagate", "pairing.onDelete.crm")]
    [InlineData("ivvy", "propagate", null)]
    [InlineData("crm", "recreate", null)]
    [InlineData("crm", "unlink", null)]
    public void Check_DeletePolicy_PropagateOnlyWhereTheOtherSideCanDelete(string side, string policy, string? errorPath)
    {
        // A contact deleted in the CRM cannot be deleted in iVvy (no delete action); one deleted in iVvy can be archived in HubSpot.
        var definition = Edit("contacts", d => d["pairing"]!["onDelete"] = new JsonObject { [side] = policy });

        var errors = ConnectorFactory.Check(definition);

        Assert.Equal(policy, definition.Pairing!.OnDelete.For(side));
        if (errorPath is null)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Contains("iVvy has no delete action", Assert.Single(errors, e => e.Path == errorPath).Message);
        }
    }

    [Fact]
    public void Pairing_WithoutOnDelete_UnlinksOnBothSides()
    {
        var pairing = WorkflowCatalog.Open(RepositoryPaths.Workflows).Load("contacts").Definition.Pairing!;

        Assert.Equal(("unlink", "unlink"), (pairing.OnDelete.Ivvy, pairing.OnDelete.Crm));
    }

    private static WorkflowDefinition Edit(string module, Action<JsonNode> edit)
    {
        var loaded = WorkflowCatalog.Open(RepositoryPaths.Workflows).Load(module);
        var json = JsonNode.Parse(loaded.DefinitionJson)!;
        edit(json);
        return WorkflowLoader.Load(json.ToJsonString(), path => loaded.Templates.GetValueOrDefault(path), module, "sha256:edited").Definition;
    }
}
