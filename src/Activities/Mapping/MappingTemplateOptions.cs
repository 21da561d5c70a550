using System.ComponentModel.DataAnnotations;

namespace IvvyWorkflows.Activities.Mapping;

/// <summary>Sandbox limits applied to every render of a mapping template.</summary>
/// <remarks>
/// Templates are written by business users and run on every record, so each render is bounded in
/// iterations, call depth, string size, output size and wall-clock time. A render that hits a limit
/// fails that record with a diagnostic; it never takes the worker down.
/// </remarks>
public sealed class MappingTemplateOptions
{
    /// <summary>Maximum cumulative loop iterations per render (Scriban <c>LoopLimit</c>).</summary>
    [Range(1, 1_000_000)]
    public int LoopLimit { get; set; } = 1000;

    /// <summary>Maximum nesting of template function calls (Scriban <c>RecursiveLimit</c>).</summary>
    [Range(1, 1000)]
    public int RecursiveLimit { get; set; } = 50;

    /// <summary>Maximum length in UTF-16 characters of any one string conversion and of the whole rendered output.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int LimitToString { get; set; } = 1024 * 1024;

    /// <summary>Wall-clock budget for one render; the render is stopped at the next statement or loop step after it, and
    /// tried once more with a fresh budget (a busy machine can use one up), so a record fails after two timeouts.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan RenderTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
