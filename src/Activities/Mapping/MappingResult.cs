using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace IvvyWorkflows.Activities.Mapping;

/// <summary>The outcome of rendering one record: the mapped JSON object, or the reason it could not be mapped.</summary>
/// <remarks>
/// A failure is per-record data, not an exception: the pipeline quarantines the record with
/// <see cref="Error"/> as the reason and carries on with the rest of the page.
/// </remarks>
public sealed class MappingResult
{
    private MappingResult(JsonObject? output, TemplateDiagnostic? error, string? renderedText)
    {
        Output = output;
        Error = error;
        RenderedText = renderedText;
    }

    /// <summary>True when <see cref="Output"/> holds the mapped object.</summary>
    [MemberNotNullWhen(true, nameof(Output))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Output is not null;

    /// <summary>The mapped object (what the writer sends), when rendering succeeded.</summary>
    public JsonObject? Output { get; }

    /// <summary>Why the record could not be mapped, positioned in the template.</summary>
    public TemplateDiagnostic? Error { get; }

    /// <summary>
    /// The text the template rendered, when rendering ran to the end (also when that text is not valid JSON),
    /// so a preview can show it; null after a runtime error.
    /// </summary>
    public string? RenderedText { get; }

    /// <summary>What was changed in the output after rendering, for the journal: e.g. "firstname: 2 control character(s)
    /// removed". Empty when nothing was.</summary>
    public IReadOnlyList<string> Notes { get; private init; } = [];

    /// <summary>A successful mapping.</summary>
    public static MappingResult Success(JsonObject output, string renderedText, IReadOnlyList<string>? notes = null) =>
        new(output, null, renderedText) { Notes = notes ?? [] };

    /// <summary>A failed mapping.</summary>
    public static MappingResult Failure(TemplateDiagnostic error, string? renderedText = null) => new(null, error, renderedText);

    /// <inheritdoc />
    public override string ToString() => IsSuccess ? Output.ToJsonString() : Error.ToString();
}
