using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using IvvyWorkflows.Designer.Api;
using IvvyWorkflows.Designer.Auth;
using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Workflows.Definitions;
using Microsoft.Extensions.Options;

namespace IvvyWorkflows.Designer.Elsa;

/// <summary>Our definitions as Elsa workflow definitions: a module's versions are its version folders; the newest is
/// Elsa's "latest"; a version recorded in <c>published.json</c> is published.</summary>
public sealed class ElsaDefinitions(IOptions<IvvyWorkflowsSettings> settings, TimeProvider time)
{
    private readonly string _root = settings.Value.ResolveWorkflowsDirectory();

    /// <summary>Opened per call: publishing adds versions and changes <c>published.json</c> while the app runs.</summary>
    private WorkflowCatalog Catalog() => WorkflowCatalog.Open(_root);

    public IReadOnlyList<string> Modules() => Catalog().Modules();

    public IReadOnlyList<int> Versions(string module) => IsModuleName(module) ? Catalog().Versions(module) : [];

    public int Newest(string module) => Versions(module)[^1];

    public string VersionFolder(string module, int version) => Path.Combine(_root, module, $"v{version}");

    public string? Title(string module) => (string?)Read(module, Newest(module))["title"];

    /// <summary>"contacts:v3" → ("contacts", 3).</summary>
    public static (string Module, int Version)? ParseId(string id) =>
        id.Split(":v") is [var module, var v] && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? (module, version) : null;

    /// <summary>The version Elsa's <c>versionOptions</c> names: Latest (the default), Published, LatestOrPublished,
    /// LatestAndPublished, or a version number; null when there is none.</summary>
    public int? Pick(string module, string? versionOptions)
    {
        var versions = Versions(module);
        if (versions.Count == 0)
        {
            return null;
        }

        var catalog = Catalog();
        var published = versions.Where(v => catalog.IsPublished(module, v)).ToList();
        return (versionOptions ?? "Latest") switch
        {
            "Latest" or "LatestOrPublished" or "LatestAndPublished" or "All" => versions[^1],
            "Published" => published.Count > 0 ? published[^1] : null,
            "Draft" => catalog.IsPublished(module, versions[^1]) ? null : versions[^1],
            var n when int.TryParse(n.TrimStart('V', 'v'), NumberStyles.None, CultureInfo.InvariantCulture, out var number) => versions.Contains(number) ? number : null,
            _ => null,
        };
    }

    public JsonObject Read(string module, int version) =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(VersionFolder(module, version), WorkflowLoader.DefinitionFileName)))!;

    public JsonObject Summary(string module, int version)
    {
        var definition = Read(module, version);
        return new JsonObject
        {
            ["id"] = $"{module}:v{version}",
            ["definitionId"] = module,
            ["name"] = (string?)definition["title"],
            ["description"] = (string?)definition["description"],
            ["version"] = version,
            ["isLatest"] = version == Newest(module),
            ["isPublished"] = Catalog().IsPublished(module, version),
            ["materializerName"] = "Json",
            ["createdAt"] = CreatedAt(module, version),
        };
    }

    /// <summary>Elsa's workflow definition model of a version. Only the latest version can be edited, and only by an
    /// integrator: Studio stays read-only without the <c>publish</c> link, so the link is the permission.</summary>
    public JsonObject Model(string module, int version, ClaimsPrincipal user)
    {
        var definition = Read(module, version);
        var latest = version == Newest(module);
        var model = Summary(module, version);
        model["toolVersion"] = "3.8.2";
        model["options"] = new JsonObject { ["autoUpdateConsumingWorkflows"] = false, ["usableAsActivity"] = false };
        model["variables"] = new JsonArray();
        model["inputs"] = new JsonArray();
        model["outputs"] = new JsonArray();
        model["outcomes"] = new JsonArray();
        model["customProperties"] = new JsonObject();
        model["isReadonly"] = !(latest && user.IsInRole(Roles.Integrator));
        model["isSystem"] = false;
        model["root"] = FlowchartMapper.ToFlowchart(definition, DefinitionLayout.Read(VersionFolder(module, version)));
        var links = new JsonArray();
        if (latest && user.IsInRole(Roles.Integrator))
        {
            links.Add(new JsonObject { ["href"] = $"{ElsaEndpoints.Prefix}/workflow-definitions/{module}/publish", ["rel"] = "publish", ["method"] = "POST" });
        }

        model["links"] = links;
        return model;
    }

    private string CreatedAt(string module, int version) =>
        new DateTimeOffset(Directory.GetCreationTimeUtc(VersionFolder(module, version)), TimeSpan.Zero).ToString("O", CultureInfo.InvariantCulture);

    private static bool IsModuleName(string module) => module.Length > 0 && module.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    public IResult Save(JsonObject body, ClaimsPrincipal user) =>
        TypedResults.Json(new ApiError("Saving from Elsa Studio goes through the draft store, which this build does not have yet."), statusCode: StatusCodes.Status501NotImplemented);

    public IResult Publish(string module, ClaimsPrincipal user) =>
        TypedResults.Json(new ApiError("Publishing from Elsa Studio goes through the draft store, which this build does not have yet."), statusCode: StatusCodes.Status501NotImplemented);

    internal TimeProvider Time => time;
}
