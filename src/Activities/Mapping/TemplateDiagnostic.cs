namespace IvvyWorkflows.Activities.Mapping;

/// <summary>One problem found in a mapping template, positioned for an editor.</summary>
/// <param name="Template">The template's name as given to <see cref="MappingTemplate.Compile"/>, e.g. "contacts/v1/templates/x.scriban".</param>
/// <param name="Line">1-based line in the template text (after line endings are normalised to LF).</param>
/// <param name="Column">1-based column (UTF-16 code units) in that line.</param>
/// <param name="Message">What is wrong, in words a template author can act on.</param>
/// <remarks>
/// Parse errors, runtime errors (such as <c>required</c> failing) and output that is not a JSON object are all
/// reported this way; for output errors the position is that of the template text or expression that wrote
/// the offending character.
/// </remarks>
public sealed record TemplateDiagnostic(string Template, int Line, int Column, string Message)
{
    /// <summary>Formats as a compiler-style line: <c>contacts/v1/templates/x.scriban(3,14): error: message</c>.</summary>
    public override string ToString() => $"{Template}({Line},{Column}): error: {Message}";
}
