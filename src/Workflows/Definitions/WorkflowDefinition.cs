using System.Text.Json.Serialization;

namespace IvvyWorkflows.Workflows.Definitions;

/// <summary>
/// A sync module as data: the streams it runs and how. Read from <c>workflows/&lt;id&gt;/v&lt;N&gt;/definition.json</c>,
/// validated against <c>workflow-definition.schema.json</c>.
/// </summary>
/// <remarks>The <c>designer</c> block (canvas layout) is kept as opaque JSON: the runtime ignores it.</remarks>
public sealed record WorkflowDefinition
{
    /// <summary>Stable id, the module name on the command line ("contacts").</summary>
    public required string Id { get; init; }

    /// <summary>Published version number; a published version never changes.</summary>
    public required int Version { get; init; }

    public required string Title { get; init; }

    public string? Description { get; init; }

    /// <summary>Whether an installation runs this module unless told otherwise (optional modules are off).</summary>
    public bool EnabledByDefault { get; init; } = true;

    /// <summary>The streams, run in order; a two-way module has one per direction.</summary>
    public required IReadOnlyList<StreamDefinition> Streams { get; init; }

    public RunSettings Run { get; init; } = new();

    /// <summary>Two-way modules only: how the two streams share pairs and settle conflicts.</summary>
    public PairingDefinition? Pairing { get; init; }

    /// <summary>Data every stream's template sees as <c>context.parameters</c> (a stream's own parameters add to it),
    /// e.g. the custom-field map both directions of a two-way module share.</summary>
    public System.Text.Json.Nodes.JsonObject? Parameters { get; init; }

    /// <summary>Modules whose records this one refers to (through lookups); <c>run --all</c> runs them first.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>Canvas layout for the designer; ignored by the runtime.</summary>
    [JsonPropertyName("designer")]
    public System.Text.Json.Nodes.JsonObject? Designer { get; init; }
}

/// <summary>One direction of a module: read modified records from a source, map them, upsert them into a target; or, for a
/// membership stream, keep who belongs to which group in step with the target.</summary>
public sealed record StreamDefinition
{
    /// <summary>Unique within the definition, e.g. "ivvy-to-hubspot"; keys the stream's cursor and links.</summary>
    public required string Name { get; init; }

    public required SourceDefinition Source { get; init; }

    /// <summary>The mapping template; every stream has one except a membership stream, whose members map through pairs.</summary>
    public MapDefinition? Map { get; init; }

    public required TargetDefinition Target { get; init; }

    /// <summary>Makes this a membership stream: instead of upserting records, it adds and removes group members.</summary>
    public MembershipDefinition? Membership { get; init; }

    /// <summary>Other modules' pairs this stream's records refer to, resolved before mapping and visible to the template
    /// as <c>lookup.&lt;name&gt;</c> (the CRM id, or null).</summary>
    public IReadOnlyList<LookupDefinition> Lookups { get; init; } = [];

    /// <summary>Data for the template, as <c>context.parameters</c> (e.g. a stage map): settings an integrator changes
    /// without touching the template.</summary>
    public System.Text.Json.Nodes.JsonObject? Parameters { get; init; }
}

/// <summary>A reference from a source record to a record of another module, e.g. a booking's contactId.</summary>
/// <param name="Name">Name the template and associations use, e.g. "contact".</param>
/// <param name="Module">The module whose pairs resolve it, e.g. "contacts".</param>
/// <param name="Field">The source record's field holding the iVvy id, e.g. "contactId".</param>
public sealed record LookupDefinition(string Name, string Module, string Field);

/// <summary>
/// A membership stream: the source says who is in each group (iVvy: a contact's <c>groups</c>; HubSpot: a list's
/// members); the stream adds to and removes from the target's groups what changed on the source since the last
/// agreed membership, so membership is kept in step both ways without echo (see docs/two-way-sync.md).
/// </summary>
/// <param name="Groups">The stream of this module that pairs groups with the target's lists (its links).</param>
/// <param name="Members">The module whose pairs pair the members (e.g. "contacts").</param>
public sealed record MembershipDefinition(string Groups, string Members);

/// <summary>An association the target record gets to a looked-up record.</summary>
/// <param name="Lookup">The lookup whose CRM id to associate with.</param>
/// <param name="ToObject">The CRM object type of that record, e.g. "contacts".</param>
public sealed record AssociationDefinition(string Lookup, string ToObject);

/// <summary>Where records come from and how the incremental cursor works.</summary>
public sealed record SourceDefinition
{
    /// <summary>Connector name: "ivvy" or "hubspot".</summary>
    public required string Connector { get; init; }

    /// <summary>The connector's object, e.g. "contact" (iVvy) or "contacts" (HubSpot).</summary>
    public required string Object { get; init; }

    public required CursorDefinition Cursor { get; init; }

    /// <summary>Records per read call; at most the API's cap (iVvy: 100).</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>Properties to read, for sources that return only the properties asked for (HubSpot).</summary>
    public IReadOnlyList<string> Properties { get; init; } = [];

    /// <summary>Parameters the source's list action needs, sent with every call, e.g. <c>{"venueId": 12}</c> to read one
    /// venue's bookings.</summary>
    public System.Text.Json.Nodes.JsonObject? Request { get; init; }
}

/// <summary>
/// A two-way module: its streams run in opposite directions over one set of pairs (iVvy id ⇄ CRM id), with echo
/// suppression, and a policy for records changed on both sides since the last sync.
/// </summary>
public sealed record PairingDefinition
{
    /// <summary>"newest-wins" (by modified time, the default), "ivvy-wins", "crm-wins", or "field-owners".</summary>
    public string ConflictPolicy { get; init; } = "newest-wins";

    /// <summary>With "field-owners": field name (as either side names it) → "ivvy" or "crm". Unlisted fields: newest wins.</summary>
    public IReadOnlyDictionary<string, string> FieldOwners { get; init; } = new Dictionary<string, string>();

    /// <summary>What happens to a pair whose record is found deleted on one side (see <see cref="DeletePolicy"/>).</summary>
    public DeletePolicy OnDelete { get; init; } = new();
}

/// <summary>
/// What a two-way module does when a paired record is found deleted on one side, by the side it was deleted on:
/// <c>"unlink"</c> (the default: the pair goes and the other side's record is synced no longer), <c>"recreate"</c> (the
/// record is written again as new from the other side), or <c>"propagate"</c> (the other side's record is deleted too;
/// only where that side's connector can delete the object). Every one is journaled as a pair event.
/// </summary>
public sealed record DeletePolicy
{
    public const string Unlink = "unlink";
    public const string Recreate = "recreate";
    public const string Propagate = "propagate";

    /// <summary>A record deleted in iVvy.</summary>
    public string Ivvy { get; init; } = Unlink;

    /// <summary>A record deleted in the CRM.</summary>
    public string Crm { get; init; } = Unlink;

    /// <summary>The policy for a record deleted on <paramref name="side"/> ("ivvy" or "crm").</summary>
    public string For(string side) => side == "ivvy" ? Ivvy : Crm;
}

/// <summary>The modified-date cursor of a source.</summary>
public sealed record CursorDefinition
{
    /// <summary>The record field holding the modified time, e.g. "modifiedDate".</summary>
    public required string Field { get; init; }

    /// <summary>How far each new window reaches back into the previous one, so an inclusive/exclusive bound
    /// mismatch can't lose a record at the boundary (re-read records are recognised as unchanged).</summary>
    public int OverlapSeconds { get; init; } = 1;
}

/// <summary>The Scriban template that turns a source record into target properties.</summary>
public sealed record MapDefinition
{
    /// <summary>Path of the template, relative to the version folder.</summary>
    public required string Template { get; init; }
}

/// <summary>Where records go and the key that makes writes idempotent.</summary>
public sealed record TargetDefinition
{
    public required string Connector { get; init; }

    public required string Object { get; init; }

    /// <summary>Required, except for a membership stream (members are paired by their module).</summary>
    public ExternalKeyDefinition? ExternalKey { get; init; }

    /// <summary>Records per write call; at most the API's cap (HubSpot: 100).</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Associations each written record gets (HubSpot default association types).</summary>
    public IReadOnlyList<AssociationDefinition> Associations { get; init; } = [];

    /// <summary>Custom properties the target must have (created as text when missing), e.g. those custom fields map to.</summary>
    public IReadOnlyList<TargetPropertyDefinition> Properties { get; init; } = [];
}

/// <summary>A custom target property the writer creates when it is missing.</summary>
public sealed record TargetPropertyDefinition(string Name, string Label);

/// <summary>The target property that holds the source id, unique in the target, so a redone write updates instead of duplicating.</summary>
public sealed record ExternalKeyDefinition
{
    public required string Property { get; init; }

    public string? Label { get; init; }
}

/// <summary>How the durable run is cut into pieces.</summary>
public sealed record RunSettings
{
    /// <summary>Most pages one activity call may commit (each page still commits on its own).</summary>
    public int MaxPagesPerActivity { get; init; } = 10;

    /// <summary>An activity starts no new page after this long, so a redo after a crash is short.</summary>
    public int ActivityBudgetMilliseconds { get; init; } = 1000;

    /// <summary>When this many records of a stream, the first it maps in a run, all fail at the same place in the
    /// template, the template is broken rather than the records: the run stops instead of quarantining the whole window.
    /// 0 never stops.</summary>
    public int FailFastAfter { get; init; } = DefaultFailFastAfter;

    public const int DefaultFailFastAfter = 20;
}
