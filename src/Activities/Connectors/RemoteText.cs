namespace IvvyWorkflows.Activities.Connectors;

/// <summary>How connectors quote a remote's text in errors and logs: short, on one line, and without credentials.</summary>
public static class RemoteText
{
    /// <summary>Credentials shorter than this are not redacted: they would blank out ordinary words, and real ones are longer.</summary>
    private const int MinimumSecretLength = 4;

    /// <summary>The text on one line, cut to <paramref name="maxLength"/> characters with an ellipsis; "(empty)" for none.</summary>
    public static string Snippet(string? text, int maxLength = 200)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "(empty)";
        }

        var oneLine = text.ReplaceLineEndings(" ").Trim();
        return oneLine.Length <= maxLength ? oneLine : string.Concat(oneLine.AsSpan(0, maxLength), "…");
    }

    /// <summary>The text with every credential replaced by "***", so a remote that echoes one cannot leak it.</summary>
    public static string Redact(string text, params string?[] secrets)
    {
        foreach (var secret in secrets)
        {
            if (secret is { Length: >= MinimumSecretLength })
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }
}
