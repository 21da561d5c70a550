using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IvvyWorkflows.Activities.Mapping;

/// <summary>One input/expected pair for a mapping template, found on disk under a workflows folder.</summary>
/// <remarks>
/// <para>Layout, for module <c>m</c>, version <c>vN</c> and template <c>t</c>:</para>
/// <code>
/// workflows/m/vN/templates/t.scriban
/// workflows/m/vN/golden/t/NNN-case.input.json      the source record (a JSON object)
/// workflows/m/vN/golden/t/NNN-case.expected.json   the exact output object, or
/// workflows/m/vN/golden/t/NNN-case.error.txt       a substring of the expected failure message
/// workflows/m/vN/golden/t/NNN-case.context.json    optional: the template's `context`
/// </code>
/// <para>
/// Discovery never throws for a malformed layout: a case with a missing template, input, or expectation is still
/// returned, and fails when run with a message saying what is missing, so <c>validate</c> reports it.
/// </para>
/// </remarks>
public sealed partial class GoldenCase
{
    private const string InputSuffix = ".input.json";
    private const string ExpectedSuffix = ".expected.json";
    private const string ErrorSuffix = ".error.txt";
    private const string ContextSuffix = ".context.json";

    private GoldenCase(string module, string version, string templateName, string templatePath, string caseName,
        string? inputPath, string? expectedPath, string? errorPath, string? contextPath)
    {
        Module = module;
        Version = version;
        TemplateName = templateName;
        TemplatePath = templatePath;
        CaseName = caseName;
        InputPath = inputPath;
        ExpectedPath = expectedPath;
        ErrorPath = errorPath;
        ContextPath = contextPath;
    }

    /// <summary>Module folder name, e.g. "contacts".</summary>
    public string Module { get; }

    /// <summary>Version folder name, e.g. "v1".</summary>
    public string Version { get; }

    /// <summary>Template name without extension, e.g. "ivvy-contact-to-hubspot".</summary>
    public string TemplateName { get; }

    /// <summary>Full path of the template file (which may not exist; the case then fails).</summary>
    public string TemplatePath { get; }

    /// <summary>Case file stem, e.g. "001-basic".</summary>
    public string CaseName { get; }

    /// <summary>Full path of the input record, or null when only an expectation file exists.</summary>
    public string? InputPath { get; }

    /// <summary>Full path of the expected output, for a case that must succeed.</summary>
    public string? ExpectedPath { get; }

    /// <summary>Full path of the expected error substring, for a case that must fail.</summary>
    public string? ErrorPath { get; }

    /// <summary>Full path of the optional context object.</summary>
    public string? ContextPath { get; }

    /// <summary>The template's name in diagnostics: "contacts/v1/templates/ivvy-contact-to-hubspot.scriban".</summary>
    public string TemplateDisplayName => $"{Module}/{Version}/templates/{TemplateName}.scriban";

    /// <summary>Stable id: "contacts/v1/ivvy-contact-to-hubspot/001-basic".</summary>
    public string Id => $"{Module}/{Version}/{TemplateName}/{CaseName}";

    /// <summary>The fields a template writes, as its golden outputs show them: every key of its cases' expected objects
    /// (none when it has no cases).</summary>
    /// <param name="versionFolder">The version's folder, e.g. <c>workflows/contacts/v3</c>.</param>
    /// <param name="templatePath">The template's path in it, e.g. <c>templates/ivvy-contact-to-hubspot.scriban</c>.</param>
    public static IReadOnlyCollection<string> OutputFields(string versionFolder, string templatePath)
    {
        var cases = Path.Combine(versionFolder, "golden", Path.GetFileNameWithoutExtension(templatePath));
        return !Directory.Exists(cases) ? []
            : Directory.EnumerateFiles(cases, "*" + ExpectedSuffix)
                .SelectMany(f => ReadObject(f, out var expected) is null && expected is not null ? expected.Select(p => p.Key) : [])
                .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Finds every golden case under <paramref name="workflowsRoot"/>, ordered by id.</summary>
    /// <returns>The cases; empty when the folder does not exist.</returns>
    public static IReadOnlyList<GoldenCase> Discover(string workflowsRoot)
    {
        ArgumentNullException.ThrowIfNull(workflowsRoot);
        var cases = new List<GoldenCase>();
        if (!Directory.Exists(workflowsRoot))
        {
            return cases;
        }
        foreach (var moduleDirectory in Directory.EnumerateDirectories(workflowsRoot))
        {
            foreach (var versionDirectory in Directory.EnumerateDirectories(moduleDirectory))
            {
                if (!VersionFolder().IsMatch(Path.GetFileName(versionDirectory)))
                {
                    continue;
                }
                var goldenDirectory = Path.Combine(versionDirectory, "golden");
                if (!Directory.Exists(goldenDirectory))
                {
                    continue;
                }
                foreach (var templateCasesDirectory in Directory.EnumerateDirectories(goldenDirectory))
                {
                    cases.AddRange(DiscoverTemplateCases(
                        Path.GetFileName(moduleDirectory), Path.GetFileName(versionDirectory), templateCasesDirectory));
                }
            }
        }
        cases.Sort((left, right) => string.CompareOrdinal(left.Id, right.Id));
        return cases;
    }

    /// <summary>Compiles the case's template and runs the case.</summary>
    public GoldenCaseOutcome Run()
    {
        if (!File.Exists(TemplatePath))
        {
            return Fail($"template {TemplateDisplayName} not found (expected at {TemplatePath})");
        }
        MappingTemplate template;
        try
        {
            template = MappingTemplate.Compile(TemplateDisplayName, File.ReadAllText(TemplatePath, Encoding.UTF8));
        }
        catch (TemplateCompileException ex)
        {
            return Fail(ex.Message);
        }
        return Run(template);
    }

    /// <summary>Runs the case against an already compiled template (e.g. one compiled once for many cases, or a draft).</summary>
    public GoldenCaseOutcome Run(MappingTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (InputPath is null)
        {
            return Fail($"no {CaseName}{InputSuffix}: every case needs an input record");
        }
        if (ExpectedPath is not null && ErrorPath is not null)
        {
            return Fail($"both {CaseName}{ExpectedSuffix} and {CaseName}{ErrorSuffix} exist: a case either succeeds or fails; keep one");
        }
        if (ExpectedPath is null && ErrorPath is null)
        {
            return Fail($"no {CaseName}{ExpectedSuffix} or {CaseName}{ErrorSuffix}: say what the case must produce");
        }

        if (ReadObject(InputPath, out var input) is { } inputProblem)
        {
            return Fail(inputProblem);
        }
        JsonObject? context = null;
        if (ContextPath is not null && ReadObject(ContextPath, out context) is { } contextProblem)
        {
            return Fail(contextProblem);
        }

        var result = template.Render(input!, context);
        return ErrorPath is not null ? CheckFailure(result, ErrorPath) : CheckOutput(result, ExpectedPath!);
    }

    /// <inheritdoc />
    public override string ToString() => Id;

    private GoldenCaseOutcome CheckFailure(MappingResult result, string errorPath)
    {
        var expectedText = File.ReadAllText(errorPath, Encoding.UTF8).Trim();
        if (expectedText.Length == 0)
        {
            return Fail($"{Path.GetFileName(errorPath)} is empty: write a part of the expected error message", result);
        }
        if (result.IsSuccess)
        {
            return Fail($"expected a mapping failure containing \"{expectedText}\", but mapping succeeded with:\n{Pretty(result.Output)}", result);
        }
        return result.Error.Message.Contains(expectedText, StringComparison.Ordinal)
            ? new GoldenCaseOutcome(this, true, "passed", result)
            : Fail($"expected a mapping failure containing \"{expectedText}\", but got:\n{result.Error}", result);
    }

    private GoldenCaseOutcome CheckOutput(MappingResult result, string expectedPath)
    {
        if (ReadNode(expectedPath, out var expected) is { } problem)
        {
            return Fail(problem, result);
        }
        if (!result.IsSuccess)
        {
            return Fail($"mapping failed:\n{result.Error}" +
                (result.RenderedText is null ? "" : $"\nrendered text:\n{result.RenderedText}"), result);
        }
        if (JsonNode.DeepEquals(expected, result.Output))
        {
            return new GoldenCaseOutcome(this, true, "passed", result);
        }
        var message = new StringBuilder();
        message.Append("output differs from ").Append(Path.GetFileName(expectedPath)).Append(':');
        foreach (var difference in JsonDiff.Describe(expected, result.Output))
        {
            message.Append("\n  ").Append(difference);
        }
        message.Append("\nactual output:\n").Append(Pretty(result.Output));
        return Fail(message.ToString(), result);
    }

    private GoldenCaseOutcome Fail(string message, MappingResult? result = null) => new(this, false, $"{Id}: {message}", result);

    private static string? ReadObject(string path, out JsonObject? value)
    {
        value = null;
        if (ReadNode(path, out var node) is { } problem)
        {
            return problem;
        }
        value = node as JsonObject;
        return value is null ? $"{Path.GetFileName(path)} must hold a JSON object" : null;
    }

    private static string? ReadNode(string path, out JsonNode? value)
    {
        try
        {
            value = JsonNode.Parse(File.ReadAllText(path, Encoding.UTF8));
            return null;
        }
        catch (JsonException ex)
        {
            value = null;
            return $"{Path.GetFileName(path)} is not valid JSON: {ex.Message}";
        }
    }

    private static string Pretty(JsonNode? node) =>
        node?.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? "null";

    private static IEnumerable<GoldenCase> DiscoverTemplateCases(string module, string version, string templateCasesDirectory)
    {
        var templateName = Path.GetFileName(templateCasesDirectory);
        var templatePath = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(templateCasesDirectory))!, "templates", templateName + ".scriban");
        var files = Directory.EnumerateFiles(templateCasesDirectory).Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var caseNames = files
            .Select(file => StemOf(file, InputSuffix) ?? StemOf(file, ExpectedSuffix) ?? StemOf(file, ErrorSuffix))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        foreach (var caseName in caseNames)
        {
            string? PathIfPresent(string suffix) =>
                files.Contains(caseName + suffix) ? Path.Combine(templateCasesDirectory, caseName + suffix) : null;

            yield return new GoldenCase(module, version, templateName, templatePath, caseName,
                PathIfPresent(InputSuffix), PathIfPresent(ExpectedSuffix), PathIfPresent(ErrorSuffix), PathIfPresent(ContextSuffix));
        }
    }

    private static string? StemOf(string fileName, string suffix) =>
        fileName.EndsWith(suffix, StringComparison.Ordinal) ? fileName[..^suffix.Length] : null;

    [GeneratedRegex("^v[0-9]+$")]
    private static partial Regex VersionFolder();
}
