using System.Text;
using System.Text.Json.Nodes;

namespace IvvyWorkflows.Activities.Mapping;

/// <summary>Removes control characters from the text values a template mapped: a NUL, a bell or a terminal escape in a
/// name is never data a CRM should hold, and it breaks whatever later prints or exports it.</summary>
/// <remarks>Removed: terminal escape sequences whole (ESC [ … final, ESC ] … BEL or ESC \, ESC and one character), the
/// other C0 controls except tab, line feed and carriage return (an email body or an address has lines), DEL, and the C1
/// controls U+0080–U+009F. Everything else, including every printable Unicode character, stays.</remarks>
internal static class ControlCharacters
{
    private const char Escape = '\u001B';

    /// <summary>Cleans every string value of <paramref name="output"/> in place; one note per value changed, naming
    /// its JSON path and what was removed.</summary>
    public static IReadOnlyList<string> Clean(JsonObject output)
    {
        var notes = new List<string>();
        Clean(output, "", notes);
        return notes;
    }

    /// <summary>The text without control characters, and how many characters were removed.</summary>
    public static (string Text, int Removed) Strip(string text)
    {
        if (!text.Any(IsControl))
        {
            return (text, 0);
        }

        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == Escape)
            {
                i = EndOfEscape(text, i);
            }
            else if (!IsControl(c))
            {
                clean.Append(c);
            }
        }

        return (clean.ToString(), text.Length - clean.Length);
    }

    private static void Clean(JsonNode? node, string path, List<string> notes)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (Replacement(value, Join(path, name), notes) is { } replaced)
                    {
                        obj[name] = replaced;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (Replacement(array[i], $"{path}[{i}]", notes) is { } replaced)
                    {
                        array[i] = replaced;
                    }
                }

                break;
        }
    }

    private static JsonNode? Replacement(JsonNode? value, string path, List<string> notes)
    {
        if (value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String)
        {
            var (text, removed) = Strip(v.GetValue<string>());
            if (removed > 0)
            {
                notes.Add($"{path}: {removed} control character(s) removed");
                return JsonValue.Create(text);
            }

            return null;
        }

        Clean(value, path, notes);
        return null;
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static bool IsControl(char c) => c is < ' ' and not ('\t' or '\n' or '\r') or '\u007F' or (>= '\u0080' and <= '\u009F');

    /// <summary>The index of the last character of the escape sequence starting at <paramref name="start"/>.</summary>
    private static int EndOfEscape(string text, int start)
    {
        var next = start + 1;
        if (next >= text.Length)
        {
            return start;
        }

        switch (text[next])
        {
            case '[':
                // CSI: parameter and intermediate bytes, then one final byte (@ to ~).
                for (var i = next + 1; i < text.Length; i++)
                {
                    if (text[i] is >= '@' and <= '~')
                    {
                        return i;
                    }

                    if (text[i] is < ' ' or > '?')
                    {
                        return i - 1;
                    }
                }

                return text.Length - 1;
            case ']':
                // OSC: up to BEL or ESC \.
                for (var i = next + 1; i < text.Length; i++)
                {
                    if (text[i] == '\u0007')
                    {
                        return i;
                    }

                    if (text[i] == Escape && i + 1 < text.Length && text[i + 1] == '\\')
                    {
                        return i + 1;
                    }
                }

                return text.Length - 1;
            default:
                return text[next] is >= '@' and <= '_' ? next : start;
        }
    }
}
