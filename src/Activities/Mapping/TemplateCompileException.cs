using System.Text;

namespace IvvyWorkflows.Activities.Mapping;

/// <summary>A mapping template did not parse. Retrying cannot help: the template text must be fixed.</summary>
public sealed class TemplateCompileException : Exception
{
    /// <summary>Creates the exception from the parser's diagnostics (at least one).</summary>
    public TemplateCompileException(string templateName, IReadOnlyList<TemplateDiagnostic> diagnostics)
        : base(FormatMessage(templateName, diagnostics))
    {
        TemplateName = templateName;
        Diagnostics = diagnostics;
    }

    /// <summary>The template's name as given to <see cref="MappingTemplate.Compile"/>.</summary>
    public string TemplateName { get; }

    /// <summary>Every error the parser reported, in template order.</summary>
    public IReadOnlyList<TemplateDiagnostic> Diagnostics { get; }

    /// <summary>Always false: the same text fails the same way.</summary>
    public bool IsRetryable => false;

    private static string FormatMessage(string templateName, IReadOnlyList<TemplateDiagnostic> diagnostics)
    {
        var message = new StringBuilder();
        message.Append("Template '").Append(templateName).Append("' has ").Append(diagnostics.Count)
            .Append(diagnostics.Count == 1 ? " error:" : " errors:");
        foreach (var diagnostic in diagnostics)
        {
            message.Append('\n').Append(diagnostic);
        }
        return message.ToString();
    }
}
