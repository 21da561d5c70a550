using IvvyWorkflows.Activities.HubSpot;
using IvvyWorkflows.Activities.Ivvy;
using IvvyWorkflows.Activities.Sync;

namespace IvvyWorkflows.Designer.Elsa;

/// <summary>How an input is shown and kept: a text, a whole number within a range, a choice, or JSON.</summary>
public enum InputKind
{
    Text,
    Number,
    Choice,
    Json,
    Code,
}

/// <summary>One form field of a stage: its Elsa input name, the definition path it edits (relative to the stream, or
/// to the module when <paramref name="ModuleLevel"/>), and how Studio shows it.</summary>
/// <param name="Name">The activity input's name (camelCase, as Elsa keeps it on the activity).</param>
/// <param name="Path">Dot-separated path in the stream's JSON (or the module's), e.g. "source.cursor.field".</param>
public sealed record StageInput(string Name, string Path, string DisplayName, string Description, InputKind Kind,
    IReadOnlyList<string>? Choices = null, int Min = 0, int Max = 0, bool ModuleLevel = false);

/// <summary>A stage of a stream, shown in Studio as one activity. Each stream is a chain of them in <see cref="Order"/>;
/// the runtime runs exactly that chain, so a graph of any other shape cannot be published.</summary>
/// <param name="Kind">The id suffix: a stage's activity id is "&lt;stream&gt;-&lt;kind&gt;" unless the layout gave it another.</param>
/// <param name="Required">Whether every stream has this stage (lookups, for instance, only when it resolves some).</param>
public sealed record Stage(string Kind, string TypeName, string DisplayName, string Description, bool Required, IReadOnlyList<StageInput> Inputs)
{
    public const string Namespace = "IvvyWorkflows";

    /// <summary>The stream's name: on the read stage, which starts the chain.</summary>
    public const string StreamInput = "stream";

    /// <summary>The stages, in the order every stream runs them.</summary>
    public static readonly IReadOnlyList<Stage> Order = Build();

    public static Stage? ByType(string? typeName) => Order.FirstOrDefault(s => s.TypeName == typeName);

    /// <summary>Connector names the catalogue knows.</summary>
    public static readonly IReadOnlyList<string> Connectors = [IvvyClient.ConnectorName, HubSpotClient.ConnectorName];

    private static List<Stage> Build()
    {
        var sourceObjects = ConnectorFactory.IvvyObjects.Keys.Concat(ConnectorFactory.IvvyPerEventObjects.Keys).Append(ConnectorFactory.IvvyGroups)
            .Concat(ConnectorFactory.HubSpotObjects.Keys).Append(ConnectorFactory.HubSpotListMembers).Distinct().Order(StringComparer.Ordinal).ToList();
        var targetObjects = ConnectorFactory.IvvyWritable.Keys.Append(ConnectorFactory.IvvyGroupMembers)
            .Concat(ConnectorFactory.HubSpotObjects.Keys).Concat(ConnectorFactory.HubSpotWriteOnly).Append(ConnectorFactory.HubSpotListMembers)
            .Distinct().Order(StringComparer.Ordinal).ToList();
        return
        [
            new("read", $"{Namespace}.Read", "Read modified", "Reads the records modified since the stream's cursor, page by page.", true,
            [
                new(StreamInput, "name", "Stream", "The stream's name, unique in the module; keys its cursor and links.", InputKind.Text),
                new("connector", "source.connector", "Connector", "Where the records come from.", InputKind.Choice, Connectors),
                new("object", "source.object", "Object", "The connector's object to read.", InputKind.Choice, sourceObjects),
                new("cursorField", "source.cursor.field", "Cursor field", "The record field holding the modified time.", InputKind.Text),
                new("overlapSeconds", "source.cursor.overlapSeconds", "Overlap (seconds)", "How far each window reaches back into the previous one.", InputKind.Number, Min: 0, Max: 3600),
                new("pageSize", "source.pageSize", "Page size", "Records per read call (at most the API's cap).", InputKind.Number, Min: 1, Max: 200),
                new("properties", "source.properties", "Properties", "Properties to read, for sources that return only those asked for (JSON array).", InputKind.Json),
                new("request", "source.request", "Request parameters", "Parameters sent with every list call, e.g. {\"venueId\": 12} (JSON object).", InputKind.Json),
            ]),
            new("lookups", $"{Namespace}.Lookups", "Lookups", "Resolves other modules' pairs the records refer to, before mapping.", false,
            [
                new("lookups", "lookups", "Lookups", "[{name, module, field}]: the template sees lookup.<name> (JSON array).", InputKind.Json),
            ]),
            new("pair", $"{Namespace}.Pair", "Pair and diff", "Finds each record's pair and skips what did not change; two-way modules settle conflicts here.", true,
            [
                new("conflictPolicy", "pairing.conflictPolicy", "Conflict policy", "Two-way modules: which side wins a record changed on both.", InputKind.Choice,
                    ["newest-wins", "ivvy-wins", "crm-wins", "field-owners"], ModuleLevel: true),
                new("membership", "membership", "Membership", "Membership streams: {groups, members} (JSON object).", InputKind.Json),
            ]),
            new("map", $"{Namespace}.Map", "Map (Scriban)", "Turns each source record into the target's properties with the stream's template.", false,
            [
                new("template", "map.template", "Template", "The template's path in the version folder.", InputKind.Text),
                new("parameters", "parameters", "Parameters", "Data the template sees as context.parameters (JSON object).", InputKind.Json),
            ]),
            new("write", $"{Namespace}.Write", "Write", "Upserts the mapped records into the target, in batches.", true,
            [
                new("connector", "target.connector", "Connector", "Where the records go.", InputKind.Choice, Connectors),
                new("object", "target.object", "Object", "The connector's object to write.", InputKind.Choice, targetObjects),
                new("batchSize", "target.batchSize", "Batch size", "Records per write call (at most the connector's maximum).", InputKind.Number, Min: 1, Max: 200),
                new("associations", "target.associations", "Associations", "[{lookup, toObject}] each written record gets (JSON array).", InputKind.Json),
                new("properties", "target.properties", "Target properties", "[{name, label}] created on the target when missing (JSON array).", InputKind.Json),
            ]),
            new("key", $"{Namespace}.KeyWriteBack", "Key write-back", "Keeps the source id on the target record, so a redone write updates instead of duplicating.", false,
            [
                new("property", "target.externalKey.property", "Key property", "The target property holding the source id.", InputKind.Text),
                new("label", "target.externalKey.label", "Key label", "Its label, when the writer creates it.", InputKind.Text),
            ]),
            new("checkpoint", $"{Namespace}.Checkpoint", "Checkpoint", "Commits the page's pairs and moves the cursor; the run's pieces are cut here.", true,
            [
                new("maxPagesPerActivity", "run.maxPagesPerActivity", "Pages per activity", "Most pages one activity call commits.", InputKind.Number, Min: 1, Max: 1000, ModuleLevel: true),
                new("activityBudgetMilliseconds", "run.activityBudgetMilliseconds", "Activity budget (ms)", "An activity starts no new page after this long.", InputKind.Number, Min: 1, Max: 600000, ModuleLevel: true),
                new("failFastAfter", "run.failFastAfter", "Fail fast after", "Records failing at one template place before the run stops (0 never).", InputKind.Number, Min: 0, Max: 100000, ModuleLevel: true),
            ]),
        ];
    }
}
