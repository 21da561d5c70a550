using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace IvvyWorkflows.Activities.Mapping;

/// <summary>Plain-text renditions of HTML email bodies, and length limits that say what they cut.</summary>
internal static partial class HtmlText
{
    /// <summary>The text a reader sees: scripts, styles and comments dropped, links kept as "text (url)", block elements
    /// on their own lines, entities decoded, runs of spaces collapsed.</summary>
    public static string ToText(string html)
    {
        var text = Hidden().Replace(html, " ");
        text = Link().Replace(text, m =>
        {
            var label = Tags().Replace(m.Groups["label"].Value, " ").Trim();
            var url = WebUtility.HtmlDecode(m.Groups["url"].Value);
            return label.Length == 0 || WebUtility.HtmlDecode(label) == url ? $" {url} " : $" {label} ({url}) ";
        });
        text = LineBreak().Replace(text, "\n");
        text = WebUtility.HtmlDecode(Tags().Replace(text, " "));
        var lines = text.Split('\n').Select(line => Spaces().Replace(line, " ").Trim());
        return BlankLines().Replace(string.Join('\n', lines), "\n\n").Trim();
    }

    /// <summary>The text itself when it fits in <paramref name="maxLength"/> characters; else its start and a note saying
    /// how much was cut, so a truncated body is never mistaken for the whole.</summary>
    public static string Limit(string text, int maxLength)
    {
        if (text.Length <= maxLength)
        {
            return text;
        }

        var note = $"\n[truncated: {maxLength:N0} of {text.Length:N0} characters kept; the full text is in iVvy]";
        var keep = Math.Max(0, maxLength - note.Length);
        // Never cut a surrogate pair in half.
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return new StringBuilder(text, 0, keep, maxLength).Append(note).ToString();
    }

    [GeneratedRegex(@"<(script|style|head)\b[^>]*>.*?</\1\s*>|<!--.*?-->", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Hidden();

    [GeneratedRegex("""<a\b[^>]*?\bhref\s*=\s*["'](?<url>[^"']*)["'][^>]*>(?<label>.*?)</a\s*>""", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Link();

    [GeneratedRegex(@"<\s*(br|/p|/div|/h[1-6]|/li|/tr|p|div|h[1-6]|li|tr)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex LineBreak();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"[ \t\r\f\v\u00A0]+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLines();
}
