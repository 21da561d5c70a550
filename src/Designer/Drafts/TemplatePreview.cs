using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.Mapping;
using IvvyWorkflows.Activities.Sync;
using IvvyWorkflows.Designer.Api;
using IvvyWorkflows.Designer.Data;
using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Workflows.Definitions;
using Microsoft.Extensions.DependencyInjection;

namespace IvvyWorkflows.Designer.Drafts;

/// <summary>The template studio's server side: samples to render (live records read through the stream's own connector,
/// quarantined records, the draft's golden cases) and a template rendered on one of them by <see cref="MappingTemplate"/>,
/// the code and sandbox runs render with.</summary>
public sealed class TemplatePreview(IDraftStore drafts, SyncEnvironmentProvider environments, ConsoleQueries queries)
{
    /// <summary>How many records each kind of sample offers.</summary>
    public const int SampleCount = 10;

    /// <summary>Records to preview a stream's template on. Live records are the first page of the stream's first read
    /// window: the same read-only calls a run starts with, nothing written.</summary>
    public async Task<IReadOnlyList<TemplateSample>> SamplesAsync(string module, string stream, CancellationToken cancellationToken)
    {
        var (definition, index) = Stream(module, stream);
        var source = definition.Streams[index].Source;
        var samples = new List<TemplateSample>();
        var env = await environments.GetAsync(cancellationToken);
        var reader = env.Engine.Services.GetRequiredService<IConnectorFactory>().CreateReader(source, new ApiCallMeter());
        var window = await reader.OpenWindowAsync(null, cancellationToken);
        var page = await reader.ReadPageAsync(window, cancellationToken);
        samples.AddRange(page.Records.Take(SampleCount).Select(r => new TemplateSample("live", r.Id, $"{source.Connector} {source.Object} {r.Id}", r.Data, null)));

        foreach (var item in queries.ListQuarantine(new QuarantineFilter(module, stream, null, null), new Activities.State.PageRequest(1, SampleCount)).Items)
        {
            if (queries.GetQuarantined(module, stream, item.SourceId) is { Payload.ValueKind: JsonValueKind.Object } detail)
            {
                samples.Add(new TemplateSample("quarantine", item.SourceId, $"quarantined {item.SourceId}: {item.Reason}",
                    JsonNode.Parse(detail.Payload.GetRawText())!.AsObject(), null));
            }
        }

        if (definition.Streams[index].Map?.Template is { } template)
        {
            var draft = drafts.Get(module);
            var folder = $"golden/{Path.GetFileNameWithoutExtension(template)}/";
            foreach (var input in (draft?.Files ?? []).Where(f => f.Status != "removed" && f.Path.StartsWith(folder, StringComparison.Ordinal) && f.Path.EndsWith(".input.json", StringComparison.Ordinal)))
            {
                var name = input.Path[folder.Length..^".input.json".Length];
                var record = JsonNode.Parse(drafts.ReadFile(module, input.Path).Content) as JsonObject;
                var contextPath = folder + name + ".context.json";
                var context = draft!.Files.Any(f => f.Path == contextPath && f.Status != "removed") ? JsonNode.Parse(drafts.ReadFile(module, contextPath).Content) as JsonObject : null;
                if (record is not null)
                {
                    samples.Add(new TemplateSample("golden", name, $"golden case {name}", record, context));
                }
            }
        }

        return samples;
    }

    /// <summary>The template rendered on the record: the output, or the diagnostics at their line and column.</summary>
    public TemplatePreviewResult Render(string module, PreviewRequest request)
    {
        var (definition, index) = Stream(module, request.Stream);
        var started = Stopwatch.GetTimestamp();
        var name = $"{module}/draft/{definition.Streams[index].Map?.Template ?? request.Stream}";
        MappingTemplate template;
        try
        {
            template = MappingTemplate.Compile(name, request.Template);
        }
        catch (TemplateCompileException e)
        {
            return new TemplatePreviewResult(null, null, e.Diagnostics.Select(Diagnostic).ToList(), [], Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        // The context a run gives every record of the stream; a golden case's own context instead when it has one.
        var context = request.Context ?? new JsonObject { ["module"] = definition.Id, ["version"] = definition.Version, ["stream"] = request.Stream };
        var result = template.Render(request.Record, context);
        return new TemplatePreviewResult(result.Output, result.RenderedText, result.Error is { } error ? [Diagnostic(error)] : [], result.Notes,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private (WorkflowDefinition Definition, int Index) Stream(string module, string stream)
    {
        var draft = drafts.Get(module) ?? throw new DraftException(DraftProblemKind.NotFound, $"{module} has no draft; open one first (POST /api/modules/{module}/draft).");
        WorkflowDefinition definition;
        try
        {
            definition = WorkflowLoader.Load(drafts.ReadFile(module, WorkflowLoader.DefinitionFileName).Content, _ => "", $"{module} draft", "").Definition;
        }
        catch (DefinitionException e)
        {
            throw new DraftException(DraftProblemKind.BadRequest, $"The draft of {module} (from v{draft.BaseVersion}) has a definition that does not load: {e.Message}");
        }

        var index = definition.Streams.ToList().FindIndex(s => s.Name == stream);
        return index >= 0
            ? (definition, index)
            : throw new DraftException(DraftProblemKind.NotFound, $"{module} has no stream '{stream}' (streams: {string.Join(", ", definition.Streams.Select(s => s.Name))}).");
    }

    private static PreviewDiagnostic Diagnostic(TemplateDiagnostic d) => new(d.Line, d.Column, d.Message, d.ToString());
}

/// <param name="Kind"><c>live</c>, <c>quarantine</c> or <c>golden</c>.</param>
public sealed record TemplateSample(string Kind, string Id, string Label, JsonObject Record, JsonObject? Context);

/// <summary>Render <c>Template</c> (the editor's text) for <c>Stream</c> on <c>Record</c>.</summary>
public sealed record PreviewRequest(string Stream, string Template, JsonObject Record, JsonObject? Context = null);

/// <param name="Output">The mapped object, or null when the template failed (see <c>Diagnostics</c>).</param>
/// <param name="ElapsedMs">Compile and render, on the server.</param>
public sealed record TemplatePreviewResult(JsonObject? Output, string? RenderedText, IReadOnlyList<PreviewDiagnostic> Diagnostics, IReadOnlyList<string> Notes,
    double ElapsedMs);

/// <param name="Line">1-based, as in the template.</param>
/// <param name="Column">1-based.</param>
public sealed record PreviewDiagnostic(int Line, int Column, string Message, string Text);
