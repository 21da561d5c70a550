using System.Text;

namespace IvvyWorkflows.Activities.Mapping;

/// <summary>Conversions between offsets and 1-based line/column positions in LF-normalised text.</summary>
internal static class TextPositions
{
    public static (int Line, int Column) LineColumnOf(string text, int offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return (line, offset - lineStart + 1);
    }

    /// <summary>The character offset of a position reported by the JSON reader (0-based line, UTF-8 byte in that line).</summary>
    public static int OffsetOfJsonPosition(string text, long lineNumber, long bytePositionInLine)
    {
        var index = 0;
        for (long line = 0; line < lineNumber && index < text.Length; index++)
        {
            if (text[index] == '\n')
            {
                line++;
            }
        }
        long bytes = 0;
        while (index < text.Length && bytes < bytePositionInLine && text[index] != '\n')
        {
            if (char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
            {
                bytes += 4;
                index += 2;
            }
            else
            {
                bytes += Encoding.UTF8.GetByteCount(text.AsSpan(index, 1));
                index++;
            }
        }
        return index;
    }
}
