namespace IvvyWorkflows.Designer.Drafts;

/// <summary>
/// A module's draft: a server-side working copy of one version's files (definition, templates, golden cases) that every
/// designer page edits, validates and publishes as the next version. One draft per module; every change is checked
/// against the ETag the caller last saw, so two tabs never overwrite each other silently.
/// </summary>
/// <remarks>Every method throws <see cref="DraftException"/> for what the caller must fix (its <see cref="DraftException.Kind"/>
/// says which: no such module or draft, a stale ETag, a role that may not make the change, a draft that does not validate).</remarks>
public interface IDraftStore
{
    /// <summary>The module's draft, created from its newest published version when it has none.</summary>
    DraftInfo Open(string module, string user);

    /// <summary>The module's draft, or null when it has none.</summary>
    DraftInfo? Get(string module);

    /// <summary>One file of the draft (a path relative to the version folder, e.g. <c>templates/x.scriban</c>).</summary>
    DraftFile ReadFile(string module, string path);

    /// <summary>Writes (or, with <c>Content</c> null, deletes) one file if the draft's ETag is still <c>ETag</c>.</summary>
    /// <param name="mayChangeDefinition">False for a business user: only templates and golden cases may change.</param>
    DraftInfo SaveFile(string module, SaveDraftFile change, string user, bool mayChangeDefinition);

    /// <summary>Each file that differs from the base version, line by line.</summary>
    IReadOnlyList<FileDiff> Diff(string module);

    /// <summary>The checks <c>validate</c> runs (schema, connectors, templates, golden cases), on the draft as the next version.</summary>
    DraftValidation Validate(string module);

    /// <summary>Validates, writes the draft as <c>workflows/&lt;module&gt;/v(N+1)/</c>, records its hash in published.json and who
    /// published it, and closes the draft.</summary>
    /// <param name="mayChangeDefinition">False for a business user: refused unless only templates and golden cases changed.</param>
    VersionInfo Publish(string module, string etag, string user, bool mayChangeDefinition);

    /// <summary>Drops the draft; false when there was none.</summary>
    bool Discard(string module);

    /// <summary>The module's versions, oldest first, with who published each from the designer and when.</summary>
    IReadOnlyList<VersionInfo> Versions(string module);
}

/// <summary>A draft as the pages show it.</summary>
/// <param name="ETag">Changes on every save; send it back with the next save or publish.</param>
/// <param name="TemplatesOnly">True when only templates and golden cases differ from the base (a business user may publish it).</param>
public sealed record DraftInfo(string Module, int BaseVersion, string ETag, string OpenedBy, DateTimeOffset OpenedAt, string? UpdatedBy,
    DateTimeOffset? UpdatedAt, bool TemplatesOnly, IReadOnlyList<DraftFileInfo> Files);

/// <param name="Kind"><c>definition</c>, <c>template</c> or <c>golden</c>.</param>
/// <param name="Status"><c>unchanged</c>, <c>modified</c>, <c>added</c> or <c>removed</c> against the base version.</param>
public sealed record DraftFileInfo(string Path, string Kind, string Status);

public sealed record DraftFile(string Path, string Content, string ETag);

/// <summary>Save one file of a draft; <c>Content</c> null deletes it (golden cases only).</summary>
public sealed record SaveDraftFile(string Path, string? Content, string ETag);

/// <summary>Publish the draft as it was when its ETag was <c>ETag</c>.</summary>
public sealed record PublishDraft(string ETag);

/// <param name="Status"><c>modified</c>, <c>added</c> or <c>removed</c>.</param>
public sealed record FileDiff(string Path, string Status, IReadOnlyList<DiffLine> Lines);

/// <param name="Op"><c>" "</c> kept, <c>"-"</c> only in the base, <c>"+"</c> only in the draft.</param>
public sealed record DiffLine(string Op, int? OldLine, int? NewLine, string Text);

/// <param name="Version">The version the draft would be published as.</param>
public sealed record DraftValidation(bool Valid, int Version, IReadOnlyList<DraftProblem> Problems);

/// <param name="Where">A definition path (<c>streams[0].map.template</c>) or a golden case id.</param>
public sealed record DraftProblem(string Where, string Message);

/// <param name="PublishedBy">Who published it from the designer; null for a version published with the <c>publish</c> command.</param>
public sealed record VersionInfo(int Version, bool Published, string? Hash, string? PublishedBy, DateTimeOffset? PublishedAt);

public enum DraftProblemKind
{
    BadRequest,
    NotFound,
    Conflict,
    Forbidden,
    Invalid,
}

/// <summary>A draft operation the caller must change: <see cref="Kind"/> maps to 400, 404, 409, 403 or 422.</summary>
public sealed class DraftException(DraftProblemKind kind, string message, IReadOnlyList<DraftProblem>? problems = null) : Exception(message)
{
    public DraftProblemKind Kind { get; } = kind;

    public IReadOnlyList<DraftProblem> Problems { get; } = problems ?? [];
}
