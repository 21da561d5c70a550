using System.Text.Json;
using System.Text.Json.Nodes;

namespace IvvyWorkflows.Workflows.Definitions;

/// <summary>
/// The <c>workflows/</c> folder: one folder per module, one <c>v&lt;N&gt;</c> folder per version, and
/// <c>published.json</c>, which records the content hash of every published version.
/// </summary>
/// <remarks>A published version is immutable: <see cref="VerifyPublished"/> reports any whose content no longer
/// matches its recorded hash. A change goes into a new version folder, published with <see cref="Publish"/>.</remarks>
public sealed class WorkflowCatalog
{
    public const string LockFileName = "published.json";

    private WorkflowCatalog(string root, Dictionary<string, string> published)
    {
        Root = root;
        Published = published;
    }

    public string Root { get; }

    /// <summary>"contacts/v1" → "sha256:…".</summary>
    public IReadOnlyDictionary<string, string> Published { get; }

    public static WorkflowCatalog Open(string root)
    {
        if (!Directory.Exists(root))
        {
            throw new BadInputException($"The workflows folder '{root}' does not exist (set WorkflowsDirectory).");
        }

        var lockFile = Path.Combine(root, LockFileName);
        var published = File.Exists(lockFile)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(lockFile)) ?? []
            : [];
        return new WorkflowCatalog(root, published);
    }

    /// <summary>Module ids, alphabetically.</summary>
    public IReadOnlyList<string> Modules() =>
        Directory.EnumerateDirectories(Root).Select(Path.GetFileName).Where(n => Versions(n!).Count > 0).Order(StringComparer.Ordinal).ToList()!;

    /// <summary>Version numbers present for a module, ascending.</summary>
    public IReadOnlyList<int> Versions(string module)
    {
        var folder = Path.Combine(Root, module);
        return !Directory.Exists(folder)
            ? []
            : Directory.EnumerateDirectories(folder)
                .Select(Path.GetFileName)
                .Where(n => n is ['v', ..] && int.TryParse(n[1..], out _) && File.Exists(Path.Combine(folder, n, WorkflowLoader.DefinitionFileName)))
                .Select(n => int.Parse(n![1..]))
                .Order()
                .ToList();
    }

    public bool IsPublished(string module, int version) => Published.ContainsKey(Key(module, version));

    /// <summary>Loads a version; without one, the newest published version (or the newest draft when none is published).</summary>
    public LoadedWorkflow Load(string module, int? version = null)
    {
        var versions = Versions(module);
        if (versions.Count == 0)
        {
            throw new DefinitionException(Path.Combine(Root, module), [new DefinitionError("(module)",
                $"no module '{module}' (known: {string.Join(", ", Modules())})")]);
        }

        var chosen = version ?? versions.Where(v => IsPublished(module, v)).DefaultIfEmpty(versions[^1]).Max();
        if (!versions.Contains(chosen))
        {
            throw new DefinitionException(Path.Combine(Root, module), [new DefinitionError("(version)",
                $"{module} has no version {chosen} (known: {string.Join(", ", versions)})")]);
        }

        return WorkflowLoader.LoadFolder(Path.Combine(Root, module, $"v{chosen}"));
    }

    /// <summary>Published versions whose content changed since publishing: "contacts/v1: published sha256:a…, now sha256:b…".</summary>
    /// <param name="module">Only this module's versions; every module's when null.</param>
    public IReadOnlyList<string> VerifyPublished(string? module = null)
    {
        var problems = new List<string>();
        foreach (var (key, hash) in Published.Where(p => module is null || p.Key.StartsWith(module + "/", StringComparison.Ordinal))
                     .OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var folder = Path.Combine(Root, key);
            if (!Directory.Exists(folder))
            {
                problems.Add($"{key}: published but its folder is gone");
                continue;
            }

            var now = WorkflowLoader.ContentHashOf(folder);
            if (!string.Equals(now, hash, StringComparison.Ordinal))
            {
                problems.Add($"{key}: published as {hash}, content is now {now}. A published version never changes: put the change in a new version folder.");
            }
        }

        return problems;
    }

    /// <summary>Validates a version and records its content hash in <c>published.json</c>. Re-publishing the same content is a no-op.</summary>
    /// <exception cref="InvalidOperationException">The version was published with different content.</exception>
    public LoadedWorkflow Publish(string module, int version)
    {
        var loaded = WorkflowLoader.LoadFolder(Path.Combine(Root, module, $"v{version}"));
        var key = Key(module, version);
        if (Published.TryGetValue(key, out var existing))
        {
            return existing == loaded.ContentHash
                ? loaded
                : throw new BadInputException($"{key} is already published with other content ({existing}); publish the change as v{Versions(module).Max() + 1}.");
        }

        var updated = new SortedDictionary<string, string>(Published.ToDictionary(), StringComparer.Ordinal) { [key] = loaded.ContentHash };
        var json = new JsonObject();
        foreach (var (k, v) in updated)
        {
            json[k] = v;
        }

        File.WriteAllText(Path.Combine(Root, LockFileName), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return loaded;
    }

    private static string Key(string module, int version) => $"{module}/v{version}";
}
