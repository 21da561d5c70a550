using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace IvvyWorkflows.Activities.Mapping;

/// <summary>A compiled, sandboxed Scriban mapping template: renders one source record into the JSON object a writer sends.</summary>
/// <remarks>
/// <para>
/// The template renders JSON <em>text</em>, which is then parsed into a <see cref="JsonObject"/>, so what a
/// business user sees in the preview is exactly what is sent. Trailing commas are accepted (they make
/// conditional properties easy to write); comments and duplicate property names are not.
/// </para>
/// <para>
/// Globals: <c>record</c> (the source record), <c>context</c> (module, run info; an empty object when not given),
/// Scriban's builtins, and <c>json</c>, <c>required</c>, <c>ivvy_date</c>, <c>custom_field</c>. Missing fields read
/// as null. Data is copied into Scriban values; no .NET object is reachable. There is no template loader, so
/// <c>include</c> fails.
/// </para>
/// <para>
/// Compile once, render many: an instance is immutable and <see cref="Render"/> is safe to call concurrently;
/// each call gets its own context and its own copy of the data.
/// </para>
/// </remarks>
public sealed class MappingTemplate
{
    private static readonly JsonDocumentOptions OutputJsonOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    private const int SnippetRadius = 40;

    private readonly Template _template;
    private readonly MappingTemplateOptions _options;
    private readonly TimeProvider _timeProvider;

    private MappingTemplate(string name, string text, Template template, MappingTemplateOptions options, TimeProvider timeProvider)
    {
        Name = name;
        Text = text;
        ContentHash = ComputeHash(text);
        _template = template;
        _options = options;
        _timeProvider = timeProvider;
    }

    /// <summary>The name diagnostics carry, e.g. "contacts/v1/templates/ivvy-contact-to-hubspot.scriban".</summary>
    public string Name { get; }

    /// <summary>The template text with line endings normalised to LF (the text positions refer to).</summary>
    public string Text { get; }

    /// <summary>SHA-256 (lowercase hex) of <see cref="Text"/> in UTF-8; the same template gives the same hash on any OS.</summary>
    public string ContentHash { get; }

    /// <summary>Parses a template.</summary>
    /// <param name="name">The name diagnostics carry (a path relative to workflows/, with '/').</param>
    /// <param name="text">The template text; CRLF and CR are normalised to LF and a leading BOM is dropped.</param>
    /// <param name="options">Sandbox limits; the defaults when null. Validated here, copied, and fixed for this instance.</param>
    /// <param name="timeProvider">Clock for the render timeout; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="TemplateCompileException">The text does not parse; carries every diagnostic.</exception>
    /// <exception cref="ValidationException"><paramref name="options"/> is out of range.</exception>
    public static MappingTemplate Compile(string name, string text, MappingTemplateOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(text);
        var normalized = Normalize(text);
        var (template, diagnostics) = Parse(name, normalized);
        if (diagnostics.Count > 0)
        {
            throw new TemplateCompileException(name, diagnostics);
        }
        var fixedOptions = Snapshot(options ?? new MappingTemplateOptions());
        Validator.ValidateObject(fixedOptions, new ValidationContext(fixedOptions), validateAllProperties: true);
        return new MappingTemplate(name, normalized, template, fixedOptions, timeProvider ?? TimeProvider.System);
    }

    /// <summary>Parses a template and returns its errors (empty when it parses); never throws for bad template text.</summary>
    public static IReadOnlyList<TemplateDiagnostic> Check(string name, string text)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(text);
        return Parse(name, Normalize(text)).Diagnostics;
    }

    /// <summary>The SHA-256 hex <see cref="ContentHash"/> that <paramref name="text"/> would have once compiled.</summary>
    public static string ComputeHash(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalize(text))));
    }

    /// <summary>Renders one record.</summary>
    /// <param name="record">The source record, visible to the template as <c>record</c>.</param>
    /// <param name="context">Run information visible as <c>context</c> (e.g. module, runId); an empty object when null.</param>
    /// <returns>The mapped object, or a failure positioned in the template. Sandbox limits and the timeout are failures too.</returns>
    /// <remarks>
    /// Takes no cancellation token on purpose: a render is CPU-bound and bounded by
    /// <see cref="MappingTemplateOptions.RenderTimeout"/>, so the caller checks its own token between records.
    /// The timeout is wall-clock time, which a busy machine (a GC pause, a starved thread pool) can use up on a sound
    /// template and an ordinary record: a render that times out is tried once more with a fresh budget, and only a
    /// second timeout fails the record.
    /// </remarks>
    public MappingResult Render(JsonObject record, JsonObject? context = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        var result = RenderOnce(record, context);
        return result is { IsSuccess: false } failed && IsTimeout(failed.Error) ? RenderOnce(record, context) : result;
    }

    private MappingResult RenderOnce(JsonObject record, JsonObject? context)
    {

        ScriptObject globals;
        try
        {
            globals = new ScriptObject(2, false);
            globals.SetValue("record", ScriptModel.FromObject(record), true);
            globals.SetValue("context", context is null ? new ScriptObject(0, false) : ScriptModel.FromObject(context), true);
        }
        catch (InvalidOperationException ex)
        {
            // JsonElement refuses to decode some text (an escaped lone surrogate); that is this record's problem.
            return MappingResult.Failure(new TemplateDiagnostic(Name, 1, 1, $"the record cannot be read: {ex.Message}"));
        }

        using var timeout = new CancellationTokenSource(_options.RenderTimeout, _timeProvider);
        var scriptContext = new SandboxTemplateContext(_options, timeout.Token);
        var output = new SourceMappedOutput(Text, scriptContext);
        scriptContext.PushOutput(output);
        scriptContext.PushGlobal(MappingFunctions.Library);
        scriptContext.PushGlobal(globals);

        string rendered;
        try
        {
            _template.Render(scriptContext);
            rendered = output.ToString();
        }
        catch (ScriptRuntimeException ex)
        {
            // The abort can surface directly or wrapped by a function call that was running when the clock ran out.
            return ex is ScriptAbortException || ex.InnerException is ScriptAbortException
                ? Fail(ex.Span, $"{TimeoutMessage} {FormatDuration(_options.RenderTimeout)} and was stopped here")
                : Fail(ex.Span, ex.OriginalMessage);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Scriban wraps most failures; anything else (a builtin's own exception) is still this record's failure.
            return Fail(scriptContext.CurrentNode?.Span, ex.Message);
        }

        return ParseOutput(rendered, output);
    }

    private MappingResult ParseOutput(string rendered, SourceMappedOutput output)
    {
        if (string.IsNullOrWhiteSpace(rendered))
        {
            return MappingResult.Failure(new TemplateDiagnostic(Name, 1, 1, "the template rendered nothing; it must render a JSON object"), rendered);
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(rendered, documentOptions: OutputJsonOptions);
        }
        catch (JsonException ex)
        {
            // The reader gives no position for a duplicate property; find the second occurrence ourselves.
            var index = ex.LineNumber is null && FindDuplicateProperty(rendered) is { } duplicate
                ? duplicate
                : TextPositions.OffsetOfJsonPosition(rendered, ex.LineNumber ?? 0, ex.BytePositionInLine ?? 0);
            var (outputLine, outputColumn) = TextPositions.LineColumnOf(rendered, index);
            var (line, column) = output.TemplatePositionOf(index);
            var message = $"the output is not valid JSON: {ReaderMessage(ex)} At output line {outputLine}, column {outputColumn}: {Snippet(rendered, index)}";
            return MappingResult.Failure(new TemplateDiagnostic(Name, line, column, message), rendered);
        }

        if (node is JsonObject obj)
        {
            return MappingResult.Success(obj, rendered, ControlCharacters.Clean(obj));
        }

        var start = rendered.Length - rendered.TrimStart().Length;
        var (rootLine, rootColumn) = output.TemplatePositionOf(start);
        var kind = node switch
        {
            null => "null",
            JsonArray => "an array",
            _ => $"a {node.GetValueKind().ToString().ToLowerInvariant()}",
        };
        return MappingResult.Failure(new TemplateDiagnostic(Name, rootLine, rootColumn,
            $"the output must be a JSON object but is {kind}: {Snippet(rendered, start)}"), rendered);
    }

    /// <summary>The character index of the first property name that repeats one of its object's earlier names.</summary>
    private static int? FindDuplicateProperty(string rendered)
    {
        var utf8 = Encoding.UTF8.GetBytes(rendered);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { AllowTrailingCommas = true });
        var names = new Stack<HashSet<string>>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        names.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.EndObject:
                        names.Pop();
                        break;
                    case JsonTokenType.PropertyName when !names.Peek().Add(reader.GetString()!):
                        // TokenStartIndex is the opening quote's byte offset; count the characters before it.
                        return Encoding.UTF8.GetCharCount(utf8, 0, (int)reader.TokenStartIndex);
                }
            }
        }
        catch (JsonException)
        {
            // Some other syntax error comes first; the reader's own position is the better one.
        }
        return null;
    }

    /// <summary>Words of the sandbox's own refusals (Scriban's limits, the removed clock, the missing template loader,
    /// the render timeout): a render failing with one of them is the template's fault on any record, not the record's.</summary>
    private static readonly string[] SandboxFaultMarkers =
    [
        "Exceeding number of iteration limit", "Exceeding number of recursive depth limit", "Exceeding recursive depth limit",
        "exceeds OutputLimit", "LimitToString", "exceeds LoopLimit", "TemplateLoader", "date.now is not available", TimeoutMessage,
    ];

    /// <summary>True when <paramref name="diagnostic"/> is a sandbox refusal (a limit, the clock, include, the timeout).</summary>
    public static bool IsSandboxFault(TemplateDiagnostic diagnostic) =>
        SandboxFaultMarkers.Any(marker => diagnostic.Message.Contains(marker, StringComparison.Ordinal));

    /// <summary>True when <paramref name="diagnostic"/> is the render timeout (wall-clock time, so it depends on load).</summary>
    public static bool IsTimeout(TemplateDiagnostic diagnostic) => diagnostic.Message.StartsWith(TimeoutMessage, StringComparison.Ordinal);

    private const string TimeoutMessage = "rendering took longer than";

    private MappingResult Fail(SourceSpan? span, string message)
    {
        var (line, column) = span is { } known && known.Start.Line >= 0 ? (known.Start.Line + 1, known.Start.Column + 1) : (1, 1);
        return MappingResult.Failure(new TemplateDiagnostic(Name, line, column, message));
    }

    private static (Template Template, IReadOnlyList<TemplateDiagnostic> Diagnostics) Parse(string name, string text)
    {
        var template = Template.Parse(text, name);
        var diagnostics = template.Messages
            .Where(message => message.Type == ParserMessageType.Error)
            .Select(message => new TemplateDiagnostic(name,
                Math.Max(1, message.Span.Start.Line + 1),
                Math.Max(1, message.Span.Start.Column + 1),
                message.Message))
            .ToList();
        if (diagnostics.Count == 0 && template.HasErrors)
        {
            diagnostics.Add(new TemplateDiagnostic(name, 1, 1, "the template does not parse"));
        }
        return (template, diagnostics);
    }

    private static string Normalize(string text)
    {
        var withoutBom = text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        return withoutBom.Contains('\r') ? withoutBom.Replace("\r\n", "\n").Replace('\r', '\n') : withoutBom;
    }

    private static MappingTemplateOptions Snapshot(MappingTemplateOptions options) => new()
    {
        LoopLimit = options.LoopLimit,
        RecursiveLimit = options.RecursiveLimit,
        LimitToString = options.LimitToString,
        RenderTimeout = options.RenderTimeout,
    };

    /// <summary>The reader's own sentence without its "LineNumber: … | BytePositionInLine: …" tail (the position is given separately).</summary>
    private static string ReaderMessage(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        }
        return (cut >= 0 ? message[..cut] : message).Trim();
    }

    /// <summary>A one-line quote of the output around <paramref name="index"/>, the position marked with "&gt;&gt;&gt;".</summary>
    private static string Snippet(string text, int index)
    {
        index = Math.Clamp(index, 0, text.Length);
        var from = Math.Max(0, index - SnippetRadius);
        var to = Math.Min(text.Length, index + SnippetRadius);
        var before = OneLine(text[from..index]);
        var after = OneLine(text[index..to]);
        return $"\"{(from > 0 ? "…" : "")}{before}>>>{after}{(to < text.Length ? "…" : "")}\"";
    }

    private static string OneLine(string text) => text.Replace("\n", "\\n").Replace("\t", "\\t");

    private static string FormatDuration(TimeSpan duration) =>
        duration.TotalSeconds >= 1 && duration.TotalSeconds == Math.Floor(duration.TotalSeconds)
            ? $"{duration.TotalSeconds:0} s"
            : $"{duration.TotalMilliseconds:0} ms";
}
