using System.Text.Json;
using System.Text.Json.Serialization;

namespace IvvyWorkflows.Designer.Elsa;

/// <summary>Where the designer's canvas shows each stage: <c>layout.json</c> in the version folder, beside
/// <c>definition.json</c> and outside its content hash (<see cref="Workflows.Definitions.WorkflowLoader.ContentHashOf"/>
/// skips it), so moving a node never changes a published version.</summary>
public sealed record DefinitionLayout
{
    public const string FileName = Workflows.Definitions.WorkflowLoader.LayoutFileName;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Activity id ("ivvy-to-hubspot-map") → its top-left corner on the canvas.</summary>
    [JsonPropertyName("nodes")]
    public IReadOnlyDictionary<string, NodePosition> Nodes { get; init; } = new Dictionary<string, NodePosition>();

    public static DefinitionLayout Read(string versionFolder)
    {
        var file = Path.Combine(versionFolder, FileName);
        if (!File.Exists(file))
        {
            return new DefinitionLayout();
        }

        try
        {
            return JsonSerializer.Deserialize<DefinitionLayout>(File.ReadAllText(file), Json) ?? new DefinitionLayout();
        }
        catch (JsonException e)
        {
            // A broken layout costs only positions: the stages fall back to their default places.
            throw new InvalidDataException($"{file} (line {e.LineNumber + 1}): not a layout ({e.Message}); delete it to lay the stages out anew.", e);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    public void Write(string versionFolder) => File.WriteAllText(Path.Combine(versionFolder, FileName), ToJson());
}

/// <summary>A node's place on the canvas, in Studio's pixels.</summary>
public sealed record NodePosition(double X, double Y);
