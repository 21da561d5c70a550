using System.Text.Json.Nodes;

namespace IvvyWorkflows.Designer.Elsa;

/// <summary>The descriptors Elsa Studio builds its toolbox and forms from: one per stage (<see cref="Stage.Order"/>)
/// with a full input descriptor per field (a dropdown of the connector catalogue's names, a number with its range, JSON
/// as a code field), and the flowchart that holds them.</summary>
public static class ActivityDescriptors
{
    public static JsonArray All()
    {
        var items = new JsonArray { Flowchart() };
        foreach (var stage in Stage.Order)
        {
            items.Add(Describe(stage));
        }

        return items;
    }

    private static JsonObject Describe(Stage stage)
    {
        var inputs = new JsonArray();
        for (var i = 0; i < stage.Inputs.Count; i++)
        {
            inputs.Add(Input(stage.Inputs[i], i));
        }

        return new JsonObject
        {
            ["typeName"] = stage.TypeName,
            ["namespace"] = Stage.Namespace,
            ["name"] = stage.TypeName[(Stage.Namespace.Length + 1)..],
            ["version"] = 1,
            ["category"] = "Sync stages",
            ["displayName"] = stage.DisplayName,
            ["description"] = stage.Description,
            ["inputs"] = inputs,
            ["outputs"] = new JsonArray(),
            ["kind"] = stage.Kind == "read" ? "Trigger" : "Action",
            ["ports"] = new JsonArray
            {
                new JsonObject { ["name"] = FlowchartMapper.DonePort, ["displayName"] = "Done", ["type"] = "Flow", ["isBrowsable"] = true },
            },
            ["customProperties"] = new JsonObject { ["RootType"] = "IActivity" },
            ["constructionProperties"] = new JsonObject(),
            ["isContainer"] = false,
            ["isBrowsable"] = true,
            ["isStart"] = stage.Kind == "read",
            ["isTerminal"] = stage.Kind == "checkpoint",
        };
    }

    private static JsonObject Input(StageInput input, int order)
    {
        var uiHint = input.Kind switch
        {
            InputKind.Choice => "dropdown",
            InputKind.Json or InputKind.Code => "code-editor",
            _ => "singleline",
        };
        var specifications = new JsonObject();
        if (input.Kind == InputKind.Choice)
        {
            var items = new JsonArray();
            foreach (var choice in input.Choices ?? [])
            {
                items.Add(new JsonObject { ["text"] = choice, ["value"] = choice });
            }

            specifications["dropdown"] = new JsonObject { ["selectList"] = new JsonObject { ["items"] = items, ["isFlagsEnum"] = false, ["sortItems"] = false } };
        }
        else if (input.Kind is InputKind.Json or InputKind.Code)
        {
            specifications["code-editor"] = new JsonObject { ["language"] = input.Kind == InputKind.Json ? "json" : "plaintext" };
        }

        var description = input.Kind == InputKind.Number ? $"{input.Description} ({input.Min}–{input.Max})" : input.Description;
        return new JsonObject
        {
            ["name"] = char.ToUpperInvariant(input.Name[0]) + input.Name[1..],
            ["typeName"] = input.Kind == InputKind.Number ? "Int32" : "String",
            ["displayName"] = input.DisplayName,
            ["description"] = description,
            ["order"] = order,
            ["isBrowsable"] = true,
            ["isSynthetic"] = false,
            ["isWrapped"] = true,
            ["uiHint"] = uiHint,
            ["category"] = input.ModuleLevel ? "Module" : "Stage",
            ["defaultSyntax"] = "Literal",
            ["isReadOnly"] = false,
            ["isSensitive"] = false,
            ["uiSpecifications"] = specifications,
        };
    }

    private static JsonObject Flowchart() => new()
    {
        ["typeName"] = FlowchartMapper.FlowchartType,
        ["namespace"] = "Elsa",
        ["name"] = "Flowchart",
        ["version"] = 1,
        ["category"] = "Flow",
        ["displayName"] = "Flowchart",
        ["description"] = "The module's streams, each a chain of stages.",
        ["inputs"] = new JsonArray(),
        ["outputs"] = new JsonArray(),
        ["kind"] = "Action",
        ["ports"] = new JsonArray(),
        ["customProperties"] = new JsonObject { ["RootType"] = "IActivity" },
        ["constructionProperties"] = new JsonObject(),
        ["isContainer"] = true,
        ["isBrowsable"] = false,
        ["isStart"] = false,
        ["isTerminal"] = false,
    };
}
