using System.Text;
using Scriban.Parsing;
using Scriban.Runtime;

namespace IvvyWorkflows.Activities.Mapping;

/// <summary>Rendered text that remembers which part of the template wrote each run of characters.</summary>
/// <remarks>
/// When the output is not valid JSON, the JSON reader's error position is mapped back through this to the
/// template: the exact character for literal template text, the expression's start for a written value.
/// </remarks>
internal sealed class SourceMappedOutput(string templateText, SandboxTemplateContext context) : IScriptOutput
{
    private readonly StringBuilder _text = new();
    private readonly List<Segment> _segments = [];

    public int Length => _text.Length;

    public void Write(string text, int offset, int count)
    {
        if (count <= 0)
        {
            return;
        }
        // Literal text is written as a slice of the parsed template string itself, so its offset is a template offset.
        int? templateOffset = ReferenceEquals(text, templateText) ? offset : null;
        var span = templateOffset is null ? context.WritingSpan ?? context.CurrentNode?.Span : null;
        _segments.Add(new Segment(_text.Length, count, templateOffset, span));
        _text.Append(text, offset, count);
    }

    public ValueTask WriteAsync(string text, int offset, int count, CancellationToken cancellationToken)
    {
        Write(text, offset, count);
        return ValueTask.CompletedTask;
    }

    /// <summary>The template position (1-based line, column) that produced output character <paramref name="outputIndex"/>.</summary>
    public (int Line, int Column) TemplatePositionOf(int outputIndex)
    {
        if (_segments.Count == 0)
        {
            return (1, 1);
        }
        var segment = _segments[^1];
        var isPastEnd = outputIndex >= _text.Length;
        if (!isPastEnd)
        {
            var low = 0;
            var high = _segments.Count - 1;
            while (low < high)
            {
                var middle = (low + high + 1) / 2;
                if (_segments[middle].OutputStart <= outputIndex)
                {
                    low = middle;
                }
                else
                {
                    high = middle - 1;
                }
            }
            segment = _segments[low];
        }
        if (segment.TemplateOffset is { } start)
        {
            var delta = isPastEnd ? segment.Length : outputIndex - segment.OutputStart;
            return TextPositions.LineColumnOf(templateText, start + delta);
        }
        if (segment.Span is { } span && span.Start.Line >= 0)
        {
            return (span.Start.Line + 1, span.Start.Column + 1);
        }
        return (1, 1);
    }

    public override string ToString() => _text.ToString();

    private readonly record struct Segment(int OutputStart, int Length, int? TemplateOffset, SourceSpan? Span);
}
