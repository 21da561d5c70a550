using System.Text.RegularExpressions;

namespace IvvyWorkflows.Designer.Drafts;

/// <summary>The files a draft may hold, as paths relative to a version folder, and which kind each is: the definition
/// (integrators only), a template or a golden case (business users too).</summary>
public static partial class DraftPaths
{
    public const string Definition = "definition";
    public const string Template = "template";
    public const string Golden = "golden";

    /// <summary>The path in its one spelling (forward slashes), or a 400 naming what a draft may hold.</summary>
    public static string Check(string? path)
    {
        var normalized = (path ?? "").Replace('\\', '/');
        return normalized == "definition.json" || TemplatePath().IsMatch(normalized) || GoldenPath().IsMatch(normalized)
            ? normalized
            : throw new DraftException(DraftProblemKind.BadRequest,
                $"'{path}' is not a draft file: use definition.json, templates/<name>.scriban or golden/<template>/<NNN-case>.(input|expected|context).json / .error.txt.");
    }

    public static string KindOf(string path) =>
        path.StartsWith("templates/", StringComparison.Ordinal) ? Template
        : path.StartsWith("golden/", StringComparison.Ordinal) ? Golden
        : Definition;

    [GeneratedRegex(@"^templates/[A-Za-z0-9_-][A-Za-z0-9._-]*\.scriban$")]
    private static partial Regex TemplatePath();

    [GeneratedRegex(@"^golden/[A-Za-z0-9_-][A-Za-z0-9._-]*/[A-Za-z0-9_-][A-Za-z0-9._-]*\.(input\.json|expected\.json|context\.json|error\.txt)$")]
    private static partial Regex GoldenPath();
}
