using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IvvyWorkflows.Workflows.Definitions;

/// <summary>Reads one version folder (<c>definition.json</c> and the templates it names), validating before anything runs.</summary>
public static class WorkflowLoader
{
    public const string DefinitionFileName = "definition.json";

    /// <summary>The designer's canvas layout beside the definition: not content, so not in the hash (moving a node never
    /// changes a published version).</summary>
    public const string LayoutFileName = "layout.json";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Loads and validates the version in <paramref name="folder"/>.</summary>
    /// <exception cref="DefinitionException">The definition fails the schema or names a template that is missing.</exception>
    public static LoadedWorkflow LoadFolder(string folder)
    {
        var file = Path.Combine(folder, DefinitionFileName);
        if (!File.Exists(file))
        {
            throw new DefinitionException(file, [new DefinitionError("(file)", "not found")]);
        }

        var text = File.ReadAllText(file);
        return Load(text, path => File.Exists(Path.Combine(folder, path)) ? File.ReadAllText(Path.Combine(folder, path)) : null, file,
            ContentHashOf(folder), folder);
    }

    /// <summary>Loads a definition from text; <paramref name="readTemplate"/> returns a template's text by relative path, or null.</summary>
    public static LoadedWorkflow Load(string definitionJson, Func<string, string?> readTemplate, string sourceName, string contentHash, string? folder = null)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(definitionJson, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new DefinitionException(sourceName, [new DefinitionError($"(json line {e.LineNumber + 1}, position {e.BytePositionInLine + 1})", e.Message)]);
        }

        var errors = DefinitionValidator.Validate(node).ToList();
        if (errors.Count > 0)
        {
            throw new DefinitionException(sourceName, errors);
        }

        var definition = node.Deserialize<WorkflowDefinition>(Json)!;
        var templates = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < definition.Streams.Count; i++)
        {
            var path = definition.Streams[i].Map?.Template;
            if (path is null || templates.ContainsKey(path))
            {
                continue;
            }

            var template = readTemplate(path);
            if (template is null)
            {
                errors.Add(new DefinitionError($"streams[{i}].map.template", $"'{path}' does not exist"));
            }
            else
            {
                templates[path] = template;
            }
        }

        if (folder is not null && !string.Equals(Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)), $"v{definition.Version}", StringComparison.Ordinal))
        {
            errors.Add(new DefinitionError("version", $"is {definition.Version} but the folder is '{Path.GetFileName(folder)}'; version {definition.Version} lives in 'v{definition.Version}'"));
        }

        if (errors.Count > 0)
        {
            throw new DefinitionException(sourceName, errors);
        }

        return new LoadedWorkflow(definition, definitionJson, templates, contentHash, folder);
    }

    /// <summary>"sha256:…" over the relative paths and LF-normalised contents of every file in a version folder but its
    /// layout (<see cref="LayoutFileName"/>).</summary>
    public static string ContentHashOf(string folder)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                     .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
                     .Where(f => f != LayoutFileName)
                     .Order(StringComparer.Ordinal))
        {
            var content = File.ReadAllText(Path.Combine(folder, file)).Replace("\r\n", "\n", StringComparison.Ordinal);
            sha.AppendData(Encoding.UTF8.GetBytes($"{file}\n{content.Length}\n{content}\n"));
        }

        return "sha256:" + Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
