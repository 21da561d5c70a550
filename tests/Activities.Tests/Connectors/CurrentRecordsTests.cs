using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;

namespace IvvyWorkflows.Activities.Tests.Connectors;

public sealed class CurrentRecordsTests
{
    [Fact]
    public void MovedToAndIsGone_FoundMergedAndMissingIds_SayWhereEachRecordWent()
    {
        var current = new CurrentRecords(
            [KeyValuePair.Create("1", new JsonObject()), KeyValuePair.Create("2", new JsonObject { ["name"] = "survivor" })],
            [KeyValuePair.Create("2", "9")]);

        Assert.Equal(("1", "9", null), (current.MovedTo("1"), current.MovedTo("2"), current.MovedTo("3")));
        Assert.Equal((false, false, true), (current.IsGone("1"), current.IsGone("2"), current.IsGone("3")));
        Assert.Equal("survivor", current["2"]["name"]!.GetValue<string>());
    }
}
