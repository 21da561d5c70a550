using System.Collections;
using System.Globalization;
using Scriban;
using Scriban.Parsing;
using Scriban.Functions;
using Scriban.Runtime;
using Scriban.Syntax;

namespace IvvyWorkflows.Activities.Mapping;

/// <summary>The functions mapping templates get besides Scriban's builtins: <c>json</c>, <c>required</c>, <c>ivvy_date</c>, <c>custom_field</c>.</summary>
/// <remarks>
/// Imported once into a read-only <see cref="ScriptObject"/> shared by every render; the methods are pure, so
/// sharing is safe across threads. Failures are raised as <see cref="ScriptRuntimeException"/> at the call's
/// span, which becomes the line and column of the record's mapping failure.
/// </remarks>
internal static class MappingFunctions
{
    private static readonly string[] IvvyTimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss 'UTC'",
        // Already ISO (a value that went through ivvy_date once, or a hand-written sample record).
        "yyyy-MM-dd'T'HH:mm:ss'Z'",
        "yyyy-MM-dd'T'HH:mm:ss",
    ];

    /// <summary>The read-only global object holding the functions, built once.</summary>
    public static ScriptObject Library { get; } = CreateLibrary();

    /// <summary><c>json(value)</c>: the JSON literal of a value, e.g. <c>"O'Brien \"JJ\""</c>, <c>42</c>, <c>null</c>, <c>[1,2]</c>.</summary>
    public static string Json(TemplateContext context, SourceSpan span, object? value)
    {
        try
        {
            return JsonLiteral.Write(value);
        }
        catch (JsonLiteralException ex)
        {
            throw new ScriptRuntimeException(span, $"json: {ex.Message}");
        }
    }

    /// <summary><c>required(value, "what")</c>: returns the value, or fails the record with "&lt;what&gt; is required" when it is null, blank or empty.</summary>
    public static object? Required(TemplateContext context, SourceSpan span, object? value, string? what = null)
    {
        var isMissing = value switch
        {
            null => true,
            string text => string.IsNullOrWhiteSpace(text),
            ICollection collection => collection.Count == 0,
            _ => false,
        };
        if (isMissing)
        {
            throw new ScriptRuntimeException(span, $"{(string.IsNullOrWhiteSpace(what) ? "value" : what)} is required");
        }
        return value;
    }

    /// <summary><c>ivvy_date(value)</c>: an iVvy timestamp ("2024-02-01 09:00:00" or "… UTC", always UTC) as ISO-8601 UTC ("2024-02-01T09:00:00Z"); null or blank gives null.</summary>
    public static string? IvvyDate(TemplateContext context, SourceSpan span, object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case DateTime dateTime:
                return FormatUtc(dateTime.Kind == DateTimeKind.Unspecified
                    ? DateTime.SpecifyKind(dateTime, DateTimeKind.Utc)
                    : dateTime.ToUniversalTime());
            case DateTimeOffset offset:
                return FormatUtc(offset.UtcDateTime);
            case string text when string.IsNullOrWhiteSpace(text):
                return null;
            case string text when DateTime.TryParseExact(text.Trim(), IvvyTimestampFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed):
                return FormatUtc(parsed);
            default:
                throw new ScriptRuntimeException(span,
                    $"ivvy_date: '{context.ObjectToString(value)}' is not an iVvy timestamp (expected yyyy-MM-dd HH:mm:ss, optionally followed by ' UTC')");
        }
    }

    /// <summary><c>custom_field(record.customFields, fieldId)</c>: the value of the iVvy custom field with that id, or null when absent.</summary>
    /// <remarks>Ids compare leniently (33443 matches "33443"), as iVvy sends ids as numbers or strings.</remarks>
    public static object? CustomField(TemplateContext context, SourceSpan span, object? fields, object? fieldId)
    {
        var wanted = IdKey(fieldId);
        if (fields is null || wanted is null)
        {
            return null;
        }
        if (fields is string or not IEnumerable)
        {
            throw new ScriptRuntimeException(span, "custom_field: the first argument must be the customFields array, e.g. custom_field(record.customFields, 33443)");
        }
        foreach (var field in (IEnumerable)fields)
        {
            if (field is IDictionary<string, object?> entry
                && entry.TryGetValue("fieldId", out var id)
                && IdKey(id) == wanted)
            {
                return entry.TryGetValue("value", out var found) ? found : null;
            }
        }
        return null;
    }

    /// <summary><c>html_text(html)</c>: the plain-text rendition of an HTML body (scripts and styles dropped, links kept as
    /// "text (url)"); null stays null.</summary>
    public static string? HtmlToText(TemplateContext context, SourceSpan span, object? value) =>
        value is null ? null : HtmlText.ToText(value.ToString() ?? "");

    /// <summary><c>limit_text(text, max)</c>: the text, or its first characters and a note of what was cut when it is longer
    /// than <c>max</c> (e.g. HubSpot's 65,536-character property limit); null stays null.</summary>
    public static string? LimitText(TemplateContext context, SourceSpan span, object? value, int max) =>
        max < 100
            ? throw new ScriptRuntimeException(span, "limit_text: the limit must be at least 100 characters")
            : value is null ? null : HtmlText.Limit(value.ToString() ?? "", max);

    public static object? Now(TemplateContext context, SourceSpan span) =>
        throw new ScriptRuntimeException(span, "date.now is not available in mapping templates: the same record must always map to the same output");

    private static string FormatUtc(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string? IdKey(object? id) => id switch
    {
        null => null,
        string text => text.Trim(),
        double real when double.IsInteger(real) => ((long)real).ToString(CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => id.ToString(),
    };

    private static ScriptObject CreateLibrary()
    {
        var library = new ScriptObject(8, false);
        // Registered by hand (not Import(typeof)) so exactly these names exist and nothing else leaks in.
        library.Import("json", new Func<TemplateContext, SourceSpan, object?, string>(Json));
        library.Import("required", new Func<TemplateContext, SourceSpan, object?, string?, object?>(Required));
        library.Import("ivvy_date", new Func<TemplateContext, SourceSpan, object?, string?>(IvvyDate));
        library.Import("custom_field", new Func<TemplateContext, SourceSpan, object?, object?, object?>(CustomField));
        library.Import("html_text", new Func<TemplateContext, SourceSpan, object?, string?>(HtmlToText));
        library.Import("limit_text", new Func<TemplateContext, SourceSpan, object?, int, string?>(LimitText));

        // The same record must always map to the same output, or the diff and echo suppression would see a change on
        // every run: the clock is the one builtin taken away.
        var date = new DateTimeFunctions();
        date.Remove("now");
        date.Import("now", new Func<TemplateContext, SourceSpan, object?>(Now));
        library.SetValue("date", date, true);
        foreach (var name in library.Keys.ToList())
        {
            library.SetReadOnly(name, true);
        }
        library.IsReadOnly = true;
        return library;
    }
}
