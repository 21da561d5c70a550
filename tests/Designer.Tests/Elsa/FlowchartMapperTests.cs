using System.Text.Json.Nodes;
using IvvyWorkflows.Designer.Elsa;

namespace IvvyWorkflows.Designer.Tests.Elsa;

/// <summary>Definition ⇄ Elsa flowchart over every version in workflows/: exact both ways, stage ids stable, the
/// activities alone carry every stream field, and a graph the runtime cannot run is reported by stage and field.</summary>
public sealed class FlowchartMapperTests
{
    public static TheoryData<string> Versions()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(ServiceHost.Root, "workflows"), "definition.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(Path.Combine(ServiceHost.Root, "workflows"), Path.GetDirectoryName(file)!).Replace('\\', '/'));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void FromFlowchart_OfToFlowchart_GivesTheDefinitionBack(string version)
    {
        var definition = Load(version);
        var flowchart = FlowchartMapper.ToFlowchart(definition, new DefinitionLayout());

        var back = FlowchartMapper.FromFlowchart(Reparse(flowchart), definition);

        Assert.Empty(back.Errors);
        Assert.Equal(definition.ToJsonString(), back.Definition.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void FromFlowchart_OntoABaseWithoutStreams_ActivitiesAloneRebuildEveryStream(string version)
    {
        var definition = Load(version);
        var flowchart = FlowchartMapper.ToFlowchart(definition, new DefinitionLayout());
        var bare = (JsonObject)definition.DeepClone();
        bare["streams"] = new JsonArray();

        var back = FlowchartMapper.FromFlowchart(Reparse(flowchart), bare);

        Assert.Empty(back.Errors);
        Assert.True(JsonNode.DeepEquals(definition, back.Definition), $"{version}: {back.Definition["streams"]}\n≠\n{definition["streams"]}");
    }

    [Fact]
    public void ToFlowchart_SameDefinitionTwice_SameStageIdsAndPositionsFromLayout()
    {
        var definition = Load("contacts/v3");
        var layout = new DefinitionLayout { Nodes = new Dictionary<string, NodePosition> { ["ivvy-to-hubspot-write"] = new(1234, 567) } };

        var first = FlowchartMapper.ToFlowchart(definition, layout);
        var second = FlowchartMapper.ToFlowchart(Load("contacts/v3"), layout);

        Assert.Equal(Ids(first), Ids(second));
        Assert.Contains("hubspot-to-ivvy-read", Ids(first));
        Assert.Contains("ivvy-to-hubspot-checkpoint", Ids(first));
        var write = Activity(first, "ivvy-to-hubspot-write");
        Assert.Equal(1234, (double)write["metadata"]!["designer"]!["position"]!["x"]!);
        var back = FlowchartMapper.FromFlowchart(Reparse(first), definition);
        Assert.Equal(new NodePosition(1234, 567), back.Layout.Nodes["ivvy-to-hubspot-write"]);
    }

    [Fact]
    public void FromFlowchart_BatchSizeEdited_OnlyThatFieldChanges()
    {
        var definition = Load("contacts/v3");
        var flowchart = Reparse(FlowchartMapper.ToFlowchart(definition, new DefinitionLayout()));
        Activity(flowchart, "ivvy-to-hubspot-write")["batchSize"]!["expression"]!["value"] = "50";

        var back = FlowchartMapper.FromFlowchart(flowchart, definition);

        Assert.Empty(back.Errors);
        Assert.Equal(50, (int)back.Definition["streams"]![1]!["target"]!["batchSize"]!);
        back.Definition["streams"]![1]!["target"]!["batchSize"] = 100;
        Assert.Equal(definition.ToJsonString(), back.Definition.ToJsonString());
    }

    [Fact]
    public void FromFlowchart_ConflictPolicyEditedOnOneStream_IsTheModulesPolicy()
    {
        var definition = Load("contacts/v3");
        var flowchart = Reparse(FlowchartMapper.ToFlowchart(definition, new DefinitionLayout()));
        Activity(flowchart, "hubspot-to-ivvy-pair")["conflictPolicy"]!["expression"]!["value"] = "crm-wins";

        var back = FlowchartMapper.FromFlowchart(flowchart, definition);

        Assert.Empty(back.Errors);
        Assert.Equal("crm-wins", (string?)back.Definition["pairing"]!["conflictPolicy"]);
    }

    [Fact]
    public void FromFlowchart_StageOutOfOrderAndBadNumber_ErrorsNameStageAndField()
    {
        var definition = Load("contacts/v3");
        var flowchart = Reparse(FlowchartMapper.ToFlowchart(definition, new DefinitionLayout()));
        Activity(flowchart, "hubspot-to-ivvy-write")["batchSize"]!["expression"]!["value"] = "5000";
        Activity(flowchart, "ivvy-to-hubspot-read")["pageSize"]!["expression"]!["value"] = "many";
        // Checkpoint straight after read: pair, map, write and key are left off the chain.
        var connections = (JsonArray)flowchart["connections"]!;
        var fromRead = connections.OfType<JsonObject>().Single(c => (string?)c["source"]!["activity"] == "ivvy-to-hubspot-read");
        fromRead["target"]!["activity"] = "ivvy-to-hubspot-checkpoint";

        var back = FlowchartMapper.FromFlowchart(flowchart, definition);

        Assert.Contains(back.Errors, e => e.Path == "activities[hubspot-to-ivvy-write].batchSize" && e.Message.Contains("between 1 and 200", StringComparison.Ordinal));
        Assert.Contains(back.Errors, e => e.Path == "activities[ivvy-to-hubspot-read].pageSize" && e.Message.Contains("whole number", StringComparison.Ordinal));
        Assert.Contains(back.Errors, e => e.Path == "activities[ivvy-to-hubspot-read]" && e.Message.Contains("no Write stage", StringComparison.Ordinal));
        Assert.Contains(back.Errors, e => e.Path == "activities[ivvy-to-hubspot-pair]" && e.Message.Contains("not on any stream", StringComparison.Ordinal));
    }

    [Fact]
    public void FromFlowchart_UnknownActivityType_IsReported()
    {
        var definition = Load("events/v1");
        var flowchart = Reparse(FlowchartMapper.ToFlowchart(definition, new DefinitionLayout()));
        ((JsonArray)flowchart["activities"]!).Add(new JsonObject { ["id"] = "x1", ["type"] = "Elsa.WriteLine", ["version"] = 1 });

        var back = FlowchartMapper.FromFlowchart(flowchart, definition);

        Assert.Contains(back.Errors, e => e.Path == "activities[x1]" && e.Message.Contains("'Elsa.WriteLine' is not a stage", StringComparison.Ordinal));
    }

    private static JsonObject Load(string version) =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(ServiceHost.Root, "workflows", version, "definition.json")))!;

    // What Studio sends back is text it parsed: no node of the original may leak through.
    private static JsonObject Reparse(JsonObject node) => (JsonObject)JsonNode.Parse(node.ToJsonString())!;

    private static List<string> Ids(JsonObject flowchart) => ((JsonArray)flowchart["activities"]!).Select(a => (string)a!["id"]!).ToList();

    private static JsonObject Activity(JsonObject flowchart, string id) =>
        ((JsonArray)flowchart["activities"]!).OfType<JsonObject>().Single(a => (string?)a["id"] == id);
}
