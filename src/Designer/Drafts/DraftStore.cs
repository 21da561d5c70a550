using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DiffPlex;
using DiffPlex.Model;
using IvvyWorkflows.Activities.Mapping;
using IvvyWorkflows.Designer.Data;
using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Workflows;
using IvvyWorkflows.Workflows.Definitions;
using Microsoft.Extensions.Options;

namespace IvvyWorkflows.Designer.Drafts;

/// <summary>
/// Drafts kept as files under <c>&lt;DataDirectory&gt;/drafts/&lt;module&gt;/</c>: <c>draft.json</c> (base version, who and when)
/// and <c>files/</c> (the working copy, laid out like a version folder), so a draft survives a restart.
/// </summary>
/// <remarks>The working copy keeps the base version's number in <c>definition.json</c>; validate and publish stage it as
/// the next version (the number rewritten) and run the same checks as <c>validate</c> on that stage.
/// The ETag is the draft's id and the content hash of its files: any save changes it, and a reopened draft never
/// matches an ETag of the one discarded before it.</remarks>
public sealed partial class DraftStore(IOptions<IvvyWorkflowsSettings> settings, ServiceStore store, TimeProvider time) : IDraftStore
{
    private const string MetaFileName = "draft.json";
    private const string FilesFolder = "files";
    private static readonly JsonSerializerOptions MetaJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private static readonly JsonDocumentOptions JsonReadOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    // Per module: saves, validation and discards of one draft never interleave. Publishing also takes the catalog's
    // lock, since published.json is shared by every module.
    private readonly ConcurrentDictionary<string, object> _moduleLocks = new(StringComparer.Ordinal);
    private readonly Lock _catalogLock = new();

    private string WorkflowsRoot => settings.Value.ResolveWorkflowsDirectory();

    private string DraftsRoot => Path.Combine(Path.GetFullPath(settings.Value.DataDirectory), "drafts");

    public DraftInfo Open(string module, string user)
    {
        var catalog = Catalog(module);
        lock (LockOf(module))
        {
            if (ReadMeta(module) is not null)
            {
                return Info(module);
            }

            var versions = catalog.Versions(module);
            var baseVersion = versions.Where(v => catalog.IsPublished(module, v)).DefaultIfEmpty(versions[^1]).Max();
            var folder = DraftFolder(module);
            var building = folder + ".opening-" + Guid.NewGuid().ToString("N")[..8];
            CopyFolder(VersionFolder(module, baseVersion), Path.Combine(building, FilesFolder));
            WriteMeta(building, new DraftMeta(Guid.NewGuid().ToString("N")[..12], module, baseVersion, user, time.GetUtcNow(), null, null));
            // The draft appears whole or not at all.
            Directory.Move(building, folder);
            return Info(module);
        }
    }

    public DraftInfo? Get(string module)
    {
        Catalog(module);
        lock (LockOf(module))
        {
            return ReadMeta(module) is null ? null : Info(module);
        }
    }

    public DraftFile ReadFile(string module, string path)
    {
        Catalog(module);
        var relative = DraftPaths.Check(path);
        lock (LockOf(module))
        {
            var meta = RequireMeta(module);
            var file = Path.Combine(DraftFolder(module), FilesFolder, relative);
            return File.Exists(file)
                ? new DraftFile(relative, File.ReadAllText(file, Utf8), ETagOf(module, meta))
                : throw new DraftException(DraftProblemKind.NotFound, $"The draft of {module} has no file '{relative}'.");
        }
    }

    public DraftInfo SaveFile(string module, SaveDraftFile change, string user, bool mayChangeDefinition)
    {
        Catalog(module);
        var relative = DraftPaths.Check(change.Path);
        var kind = DraftPaths.KindOf(relative);
        if (!mayChangeDefinition && kind == DraftPaths.Definition)
        {
            throw new DraftException(DraftProblemKind.Forbidden, $"Only an integrator may change {relative}; a business user may change templates and golden cases.");
        }

        if (change.Content is null && kind != DraftPaths.Golden)
        {
            throw new DraftException(DraftProblemKind.BadRequest, $"Only golden case files may be deleted; '{relative}' is a {kind}.");
        }

        lock (LockOf(module))
        {
            var meta = RequireMeta(module);
            CheckETag(module, meta, change.ETag);
            var file = Path.Combine(DraftFolder(module), FilesFolder, relative);
            if (change.Content is null)
            {
                File.Delete(file);
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                var temporary = file + ".saving";
                File.WriteAllText(temporary, change.Content, Utf8);
                File.Move(temporary, file, overwrite: true);
            }

            WriteMeta(DraftFolder(module), meta with { UpdatedBy = user, UpdatedAt = time.GetUtcNow() });
            return Info(module);
        }
    }

    public IReadOnlyList<FileDiff> Diff(string module)
    {
        Catalog(module);
        lock (LockOf(module))
        {
            var meta = RequireMeta(module);
            var (baseFolder, draftFolder) = (VersionFolder(module, meta.BaseVersion), Path.Combine(DraftFolder(module), FilesFolder));
            return Compare(baseFolder, draftFolder).Where(f => f.Status != "unchanged").Select(f =>
            {
                var before = f.Status == "added" ? "" : File.ReadAllText(Path.Combine(baseFolder, f.Path), Utf8);
                var after = f.Status == "removed" ? "" : File.ReadAllText(Path.Combine(draftFolder, f.Path), Utf8);
                return new FileDiff(f.Path, f.Status, LineDiff(before, after));
            }).ToList();
        }
    }

    public DraftValidation Validate(string module)
    {
        var catalog = Catalog(module);
        lock (LockOf(module))
        {
            var meta = RequireMeta(module);
            var next = catalog.Versions(module).Max() + 1;
            var stage = Stage(module, meta, next);
            try
            {
                var problems = Check(stage, module, next);
                return new DraftValidation(problems.Count == 0, next, problems);
            }
            finally
            {
                Directory.Delete(stage, recursive: true);
            }
        }
    }

    public VersionInfo Publish(string module, string etag, string user, bool mayChangeDefinition)
    {
        Catalog(module);
        lock (LockOf(module))
        lock (_catalogLock)
        {
            var meta = RequireMeta(module);
            CheckETag(module, meta, etag);
            var catalog = WorkflowCatalog.Open(WorkflowsRoot);
            var newest = catalog.Versions(module).Max();
            if (newest != meta.BaseVersion)
            {
                throw new DraftException(DraftProblemKind.Conflict,
                    $"{module} v{newest} was written after this draft was opened from v{meta.BaseVersion}; discard the draft and open a new one from v{newest}.");
            }

            var changed = Compare(VersionFolder(module, meta.BaseVersion), Path.Combine(DraftFolder(module), FilesFolder)).Where(f => f.Status != "unchanged").ToList();
            if (changed.Count == 0)
            {
                throw new DraftException(DraftProblemKind.BadRequest, $"The draft of {module} has no changes from v{meta.BaseVersion}: there is nothing to publish.");
            }

            if (!mayChangeDefinition && changed.Where(f => f.Kind == DraftPaths.Definition).Select(f => f.Path).FirstOrDefault() is { } definition)
            {
                throw new DraftException(DraftProblemKind.Forbidden,
                    $"This draft changes {definition}: only an integrator may publish it. A business user may publish changes to templates and golden cases only.");
            }

            var next = newest + 1;
            var stage = Stage(module, meta, next);
            try
            {
                var problems = Check(stage, module, next);
                if (problems.Count > 0)
                {
                    throw new DraftException(DraftProblemKind.Invalid, $"The draft of {module} does not validate as v{next}: {problems.Count} problem(s).", problems);
                }

                // Copied beside its final place, then renamed: the new version folder appears whole or not at all.
                var target = VersionFolder(module, next);
                var copying = Path.Combine(WorkflowsRoot, module, $".publishing-v{next}-{Guid.NewGuid().ToString("N")[..8]}");
                CopyFolder(Path.Combine(stage, module, $"v{next}"), copying);
                Directory.Move(copying, target);
                var published = catalog.Publish(module, next);
                var at = time.GetUtcNow();
                store.AddPublication(new PublicationRecord(module, next, published.ContentHash, user, at));
                Directory.Delete(DraftFolder(module), recursive: true);
                return new VersionInfo(next, true, published.ContentHash, user, at);
            }
            finally
            {
                Directory.Delete(stage, recursive: true);
            }
        }
    }

    public bool Discard(string module)
    {
        Catalog(module);
        lock (LockOf(module))
        {
            if (ReadMeta(module) is null)
            {
                return false;
            }

            // Renamed first: a discard that stops half-way leaves no half a draft behind.
            var doomed = DraftFolder(module) + ".discarding-" + Guid.NewGuid().ToString("N")[..8];
            Directory.Move(DraftFolder(module), doomed);
            Directory.Delete(doomed, recursive: true);
            return true;
        }
    }

    public IReadOnlyList<VersionInfo> Versions(string module)
    {
        var catalog = Catalog(module);
        var publications = store.ListPublications(module).ToDictionary(p => p.Version);
        return catalog.Versions(module).Select(v =>
        {
            catalog.Published.TryGetValue($"{module}/v{v}", out var hash);
            var by = publications.GetValueOrDefault(v) is { } p && p.ContentHash == hash ? p : null;
            return new VersionInfo(v, hash is not null, hash, by?.PublishedBy, by?.PublishedAt);
        }).ToList();
    }

    /// <summary>The problems <c>validate</c> would report for version <paramref name="version"/> of the staged workflows folder.</summary>
    private static List<DraftProblem> Check(string stageRoot, string module, int version)
    {
        var catalog = WorkflowCatalog.Open(stageRoot);
        var golden = GoldenCase.Discover(stageRoot);
        var problems = new List<DraftProblem>();
        try
        {
            CheckedDefinitions.LoadReady(catalog, module, version, golden);
        }
        catch (DefinitionException e)
        {
            problems.AddRange(e.Errors.Select(d => new DraftProblem(d.Path, d.Message)));
        }

        problems.AddRange(golden.Where(c => c.Module == module).Select(c => c.Run()).Where(o => !o.Passed)
            .Select(o => new DraftProblem($"golden {o.Case.TemplateName}/{o.Case.CaseName}", o.Message)));
        return problems;
    }

    /// <summary>The draft's files as version <paramref name="version"/> of a workflows folder of their own.</summary>
    private string Stage(string module, DraftMeta meta, int version)
    {
        var root = Path.Combine(DraftsRoot, ".stage-" + Guid.NewGuid().ToString("N")[..12]);
        var folder = Path.Combine(root, module, $"v{version}");
        CopyFolder(Path.Combine(DraftFolder(module), FilesFolder), folder);
        var definition = Path.Combine(folder, WorkflowLoader.DefinitionFileName);
        if (File.Exists(definition))
        {
            File.WriteAllText(definition, Renumber(File.ReadAllText(definition, Utf8), meta.BaseVersion, version), Utf8);
        }

        return root;
    }

    /// <summary>The definition with its top-level <c>version</c> set to <paramref name="to"/>, the rest of the text as written.
    /// A definition whose version is not the base's is left alone (validation then names the mismatch).</summary>
    internal static string Renumber(string json, int from, int to)
    {
        try
        {
            if (JsonNode.Parse(json, documentOptions: JsonReadOptions) is not JsonObject root
                || root["version"] is not JsonValue value || !value.TryGetValue<int>(out var version) || version != from)
            {
                return json;
            }

            // Only the top-level property changes: the first "version": N whose rewrite moves the root's version.
            foreach (Match match in VersionProperty().Matches(json))
            {
                var number = match.Groups[2];
                var renumbered = string.Concat(json.AsSpan(0, number.Index), to.ToString(System.Globalization.CultureInfo.InvariantCulture), json.AsSpan(number.Index + number.Length));
                if (JsonNode.Parse(renumbered, documentOptions: JsonReadOptions)?["version"]?.GetValue<int>() == to)
                {
                    return renumbered;
                }
            }

            return json;
        }
        catch (JsonException)
        {
            return json; // validation reports the JSON error with its line and position
        }
    }

    private static List<(string Path, string Kind, string Status)> Compare(string baseFolder, string draftFolder)
    {
        var before = Files(baseFolder);
        var after = Files(draftFolder);
        return before.Union(after).Order(StringComparer.Ordinal).Select(path =>
        {
            var status = !before.Contains(path) ? "added"
                : !after.Contains(path) ? "removed"
                : File.ReadAllText(Path.Combine(baseFolder, path)).ReplaceLineEndings("\n") == File.ReadAllText(Path.Combine(draftFolder, path)).ReplaceLineEndings("\n")
                    ? "unchanged"
                    : "modified";
            return (path, DraftPaths.KindOf(path), status);
        }).ToList();
    }

    private static HashSet<string> Files(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).ToHashSet(StringComparer.Ordinal)
            : [];

    private static List<DiffLine> LineDiff(string before, string after)
    {
        var result = Differ.Instance.CreateLineDiffs(before, after, false);
        var lines = new List<DiffLine>();
        var (oldLine, newLine) = (0, 0);
        foreach (var block in result.DiffBlocks.Append(new DiffBlock(result.PiecesOld.Count, 0, result.PiecesNew.Count, 0)))
        {
            while (oldLine < block.DeleteStartA)
            {
                lines.Add(new DiffLine(" ", oldLine + 1, newLine + 1, result.PiecesOld[oldLine]));
                oldLine++;
                newLine++;
            }

            for (var i = 0; i < block.DeleteCountA; i++, oldLine++)
            {
                lines.Add(new DiffLine("-", oldLine + 1, null, result.PiecesOld[oldLine]));
            }

            for (var i = 0; i < block.InsertCountB; i++, newLine++)
            {
                lines.Add(new DiffLine("+", null, newLine + 1, result.PiecesNew[newLine]));
            }
        }

        return lines;
    }

    private DraftInfo Info(string module)
    {
        var meta = RequireMeta(module);
        var files = Compare(VersionFolder(module, meta.BaseVersion), Path.Combine(DraftFolder(module), FilesFolder))
            .Select(f => new DraftFileInfo(f.Path, f.Kind, f.Status)).ToList();
        return new DraftInfo(module, meta.BaseVersion, ETagOf(module, meta), meta.OpenedBy, meta.OpenedAt, meta.UpdatedBy, meta.UpdatedAt,
            files.All(f => f.Status == "unchanged" || f.Kind != DraftPaths.Definition), files);
    }

    private void CheckETag(string module, DraftMeta meta, string? etag)
    {
        var current = ETagOf(module, meta);
        if (!string.Equals(etag, current, StringComparison.Ordinal))
        {
            throw new DraftException(DraftProblemKind.Conflict,
                $"The draft of {module} changed since you loaded it (last saved by {meta.UpdatedBy ?? meta.OpenedBy}" +
                $"{(meta.UpdatedAt is { } at ? $" at {at:u}" : "")}); reload it and apply your change again.");
        }
    }

    private string ETagOf(string module, DraftMeta meta) => $"{meta.Id}.{WorkflowLoader.ContentHashOf(Path.Combine(DraftFolder(module), FilesFolder))["sha256:".Length..][..16]}";

    /// <summary>The catalog, once the module is known to be one of it (so a module name never reaches a path unchecked).</summary>
    private WorkflowCatalog Catalog(string module)
    {
        WorkflowCatalog catalog;
        try
        {
            catalog = WorkflowCatalog.Open(WorkflowsRoot);
        }
        catch (BadInputException e)
        {
            throw new DraftException(DraftProblemKind.NotFound, e.Message);
        }

        return catalog.Modules().Contains(module, StringComparer.Ordinal)
            ? catalog
            : throw new DraftException(DraftProblemKind.NotFound, $"There is no module '{module}'.");
    }

    private DraftMeta RequireMeta(string module) =>
        ReadMeta(module) ?? throw new DraftException(DraftProblemKind.NotFound, $"{module} has no draft; open one first (POST /api/modules/{module}/draft).");

    private DraftMeta? ReadMeta(string module)
    {
        var file = Path.Combine(DraftFolder(module), MetaFileName);
        return File.Exists(file) ? JsonSerializer.Deserialize<DraftMeta>(File.ReadAllText(file), MetaJson) : null;
    }

    private static void WriteMeta(string folder, DraftMeta meta)
    {
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, MetaFileName);
        File.WriteAllText(file + ".saving", JsonSerializer.Serialize(meta, MetaJson), Utf8);
        File.Move(file + ".saving", file, overwrite: true);
    }

    private object LockOf(string module) => _moduleLocks.GetOrAdd(module, _ => new object());

    private string DraftFolder(string module) => Path.Combine(DraftsRoot, module);

    private string VersionFolder(string module, int version) => Path.Combine(WorkflowsRoot, module, $"v{version}");

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        Directory.CreateDirectory(to);
    }

    [GeneratedRegex("(\"version\"\\s*:\\s*)(\\d+)")]
    private static partial Regex VersionProperty();

    private sealed record DraftMeta(string Id, string Module, int BaseVersion, string OpenedBy, DateTimeOffset OpenedAt, string? UpdatedBy, DateTimeOffset? UpdatedAt);
}
