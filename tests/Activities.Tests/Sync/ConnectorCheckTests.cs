using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Mapping;
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

    [Theory]
    [InlineData("contacts", 3)]
    [InlineData("companies", 2)]
    public void CheckReadBack_PublishedTwoWayModules_ReadBackEveryFieldTheyWrite(string module, int version)
    {
        var loaded = WorkflowCatalog.Open(RepositoryPaths.Workflows).Load(module, version);

        Assert.Empty(ConnectorFactory.CheckReadBack(loaded.Definition, i => GoldenCase.OutputFields(loaded.Folder!, loaded.Definition.Streams[i].Map!.Template)));
        Assert.NotEmpty(GoldenCase.OutputFields(loaded.Folder!, loaded.Definition.Streams[0].Map!.Template));
    }

    [Fact]
    public void CheckReadBack_AHubSpotPropertyTheModuleNeverReads_IsRefusedNamingWhereToAddIt()
    {
        var definition = Edit("contacts", _ => { });

        var error = Assert.Single(ConnectorFactory.CheckReadBack(definition, i => i == 1 ? ["email", "firstname", "jobtitle"] : ["firstName"]));

        Assert.Equal("streams[1].map.template", error.Path);
        Assert.Contains("'jobtitle'", error.Message);
        Assert.Contains("streams[0].source.properties", error.Message);
    }

    [Fact]
    public void CheckReadBack_AnIvvyFieldItsReadDoesNotReturn_IsRefused()
    {
        var definition = Edit("contacts", _ => { });

        var error = Assert.Single(ConnectorFactory.CheckReadBack(definition, i => i == 0 ? ["firstName", "privacyConsent"] : []));

        Assert.Equal("streams[0].map.template", error.Path);
        Assert.Contains("'privacyConsent'", error.Message);
    }

    [Fact]
    public void Check_TwoWayStreamWithLookups_IsRefused()
    {
        var definition = Edit("contacts", d => d["streams"]![1]!["lookups"] = JsonNode.Parse("""[{"name": "company", "field": "companyId", "module": "companies"}]"""));

        Assert.Contains(ConnectorFactory.Check(definition), e => e.Path == "streams[1].lookups");
    }

    private static WorkflowDefinition Edit(string module, Action<JsonNode> edit)
    {
        var loaded = WorkflowCatalog.Open(RepositoryPaths.Workflows).Load(module);
        var json = JsonNode.Parse(loaded.DefinitionJson)!;
        edit(json);
        return WorkflowLoader.Load(json.ToJsonString(), path => loaded.Templates.GetValueOrDefault(path), module, "sha256:edited").Definition;
    }
}
