using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.HubSpot;
using IvvyWorkflows.Activities.Ivvy;
using IvvyWorkflows.Activities.Resilience;
using IvvyWorkflows.Workflows.Definitions;
using Microsoft.Extensions.Logging;

namespace IvvyWorkflows.Activities.Sync;

/// <summary>Builds readers and writers from a definition's connector and object names, over the configured connections.</summary>
public sealed class ConnectorFactory(
    IHttpClientFactory http,
    IvvyClientOptions ivvy,
    HubSpotClientOptions hubSpot,
    TimeProvider time,
    ILoggerFactory loggers) : IConnectorFactory
{
    /// <summary>iVvy objects that can be read by modified date, by the name a definition uses.</summary>
    public static readonly IReadOnlyDictionary<string, IvvyListSpec> IvvyObjects = new Dictionary<string, IvvyListSpec>(StringComparer.Ordinal)
    {
        ["contact"] = IvvyListSpec.Contacts,
        ["company"] = IvvyListSpec.Companies,
        ["booking"] = new("venue", "getBookingListForAccount", "modifiedDateAfter", "modifiedDateBefore"),
        // One venue's bookings: source.request names the venue ({"venueId": 12}).
        [IvvyVenueBookings] = new("venue", "getBookingList", "modifiedDateAfter", "modifiedDateBefore"),
        // getEventList has no modified filter: each run reads the (short) list whole; the diff skips unchanged events.
        ["event"] = new("event", "getEventList", null, null),
        // Sent emails never change: their window is on sentTime, with iVvy's generic ≥ / ≤ filter suffixes.
        ["emailLog"] = new("account", "getEmailLogList", "sentTime__GREATERTHAN", "sentTime__LESSTHAN", ModifiedField: "sentTime"),
        // Contacts for their subscription groups, read whole on every run: whether a group change moves a contact's
        // modifiedDate is not documented, so membership never depends on it.
        [IvvyContactGroups] = IvvyListSpec.Contacts with { FromFilter = null, ToFilter = null },
    };

    /// <summary>The bookings of the one venue <c>source.request.venueId</c> names (getBookingList).</summary>
    public const string IvvyVenueBookings = "venueBooking";

    /// <summary>iVvy contacts as the members of their subscription groups (<c>groups</c>).</summary>
    public const string IvvyContactGroups = "contactGroups";

    /// <summary>iVvy's subscription groups (a bare array, read whole).</summary>
    public const string IvvyGroups = "subscriptionGroup";

    /// <summary>Membership objects: members of HubSpot lists (read and written), of iVvy subscription groups (written;
    /// read through <see cref="IvvyContactGroups"/>). Streams writing them are membership streams.</summary>
    public const string HubSpotListMembers = "list-memberships";

    /// <inheritdoc cref="HubSpotListMembers"/>
    public const string IvvyGroupMembers = "subscriptionGroupMemberships";

    /// <summary>HubSpot objects and the property holding their last-modified time.</summary>
    public static readonly IReadOnlyDictionary<string, string> HubSpotObjects = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["contacts"] = "lastmodifieddate",
        ["companies"] = "hs_lastmodifieddate",
        ["deals"] = "hs_lastmodifieddate",
        ["emails"] = "hs_lastmodifieddate",
    };

    /// <summary>iVvy lists served one event at a time: the action, and its modified-since filter (a lower bound) if any.</summary>
    public static readonly IReadOnlyDictionary<string, (string Action, string? FromFilter)> IvvyPerEventObjects =
        new Dictionary<string, (string, string?)>(StringComparer.Ordinal)
        {
            ["registration"] = ("getRegistrationList", "modifiedDate"),
            // Neither list takes a filter: every window reads them whole, which keeps statuses current on every run.
            ["attendee"] = ("getAttendeeList", null),
            ["invitation"] = ("getInvitedContactList", null),
        };

    /// <summary>HubSpot objects that are written but not read by modified date.</summary>
    public static readonly IReadOnlySet<string> HubSpotWriteOnly = new HashSet<string>(StringComparer.Ordinal) { "marketing-events", "marketing-event-participations", "lists" };

    /// <summary>iVvy objects that can be written (two-way modules), by the name a definition uses.</summary>
    public static readonly IReadOnlyDictionary<string, IvvyWriteSpec> IvvyWritable = new Dictionary<string, IvvyWriteSpec>(StringComparer.Ordinal)
    {
        ["contact"] = IvvyWriteSpec.Contacts,
        ["company"] = IvvyWriteSpec.Companies,
    };

    /// <summary>The errors in a definition's connector choices: unknown objects, or a two-way module whose streams do
    /// not mirror each other.</summary>
    public static IReadOnlyList<DefinitionError> Check(WorkflowDefinition definition)
    {
        var errors = new List<DefinitionError>();
        for (var i = 0; i < definition.Streams.Count; i++)
        {
            var (source, target) = (definition.Streams[i].Source, definition.Streams[i].Target);
            var readable = source.Connector == IvvyClient.ConnectorName
                ? IvvyObjects.ContainsKey(source.Object) || IvvyPerEventObjects.ContainsKey(source.Object) || source.Object == IvvyGroups
                : HubSpotObjects.ContainsKey(source.Object) || source.Object == HubSpotListMembers;
            if (!readable)
            {
                errors.Add(new DefinitionError($"streams[{i}].source", $"reading '{source.Object}' from '{source.Connector}' is not supported (supported: ivvy {string.Join(", ", IvvyObjects.Keys.Concat(IvvyPerEventObjects.Keys).Append(IvvyGroups))}; hubspot {string.Join(", ", HubSpotObjects.Keys.Append(HubSpotListMembers))})"));
            }

            var writable = target.Connector == IvvyClient.ConnectorName
                ? IvvyWritable.ContainsKey(target.Object) || target.Object == IvvyGroupMembers
                : HubSpotObjects.ContainsKey(target.Object) || HubSpotWriteOnly.Contains(target.Object) || target.Object == HubSpotListMembers;
            if (!writable || source.Connector == target.Connector)
            {
                errors.Add(new DefinitionError($"streams[{i}].target", $"writing '{target.Object}' to '{target.Connector}' from '{source.Connector}' is not supported (supported: hubspot {string.Join(", ", HubSpotObjects.Keys.Concat(HubSpotWriteOnly).Append(HubSpotListMembers))}; ivvy {string.Join(", ", IvvyWritable.Keys.Append(IvvyGroupMembers))})"));
            }

            if (source.Connector == IvvyClient.ConnectorName && source.Object == IvvyVenueBookings
                && !(source.Request?["venueId"] is JsonValue venue && venue.TryGetValue<long>(out var venueId) && venueId > 0))
            {
                errors.Add(new DefinitionError($"streams[{i}].source.request.venueId", $"required: {IvvyVenueBookings} reads one venue's bookings (getBookingList), named by its id"));
            }

            // A membership stream reads who is in which group and writes group members; every other stream upserts records.
            var membersIn = source.Object is IvvyContactGroups or HubSpotListMembers;
            var membersOut = target.Object is HubSpotListMembers or IvvyGroupMembers;
            if ((definition.Streams[i].Membership is not null) != membersOut || (membersOut && !membersIn))
            {
                errors.Add(new DefinitionError($"streams[{i}].membership", $"a membership stream reads {IvvyContactGroups} (ivvy) or {HubSpotListMembers} (hubspot), writes {HubSpotListMembers} or {IvvyGroupMembers}, and has a membership block; only it does"));
            }
        }

        if (definition.Pairing is not null
            && !(definition.Streams.Count == 2 && definition.Streams[0].Source.Connector == definition.Streams[1].Target.Connector
                 && definition.Streams[1].Source.Connector == definition.Streams[0].Target.Connector))
        {
            errors.Add(new DefinitionError("pairing", "a two-way module has exactly two streams, one in each direction"));
        }

        for (var i = 0; definition.Pairing is not null && i < definition.Streams.Count; i++)
        {
            if (definition.Streams[i].Lookups.Count > 0 || definition.Streams[i].Target.Associations.Count > 0)
            {
                errors.Add(new DefinitionError($"streams[{i}].lookups", "a two-way stream cannot use lookups or associations: its records are merged field by field with their pair, which has no place for another module's ids"));
            }
        }

        if (definition.Pairing is { } pairing && errors.Count == 0)
        {
            foreach (var side in new[] { "ivvy", "crm" })
            {
                // Propagating a deletion on one side deletes the record on the other: the stream writing that side must be able to.
                var other = definition.Streams.First(s => (s.Source.Connector == IvvyClient.ConnectorName) == (side == "ivvy")).Target;
                if (pairing.OnDelete.For(side) == DeletePolicy.Propagate && !CanDelete(other))
                {
                    errors.Add(new DefinitionError($"pairing.onDelete.{side}",
                        $"propagate needs {other.Connector} to delete '{other.Object}', which it cannot (iVvy has no delete action); use unlink or recreate"));
                }
            }
        }

        if (definition.Pairing is null && definition.Streams.Any(s => s.Target.Connector == IvvyClient.ConnectorName && s.Membership is null))
        {
            errors.Add(new DefinitionError("pairing", "writing to iVvy needs a two-way module (a pairing block), so records are paired and echoes suppressed"));
        }

        return errors;
    }

    /// <summary>True when the target's connector can delete its records (HubSpot CRM objects; iVvy has no delete action).</summary>
    public static bool CanDelete(TargetDefinition target) =>
        target.Connector == HubSpotClient.ConnectorName && HubSpotObjects.ContainsKey(target.Object);

    /// <summary>The errors of a two-way module whose templates write fields the module cannot read back (each is compared
    /// with what the other side holds, so one never read would look changed, or be lost, on every run).</summary>
    /// <param name="definition">The definition.</param>
    /// <param name="written">For a stream's index, the fields its template writes (e.g. the keys of its golden outputs).</param>
    /// <remarks>iVvy: the fields its read action returns under the name written (<see cref="IvvyWriteSpec.ReadBack"/>).
    /// HubSpot answers only the properties asked for: a written property must be one the module reads from HubSpot — the
    /// other stream's <c>source.properties</c>, the stream's declared <c>target.properties</c>, the key, or the object's
    /// default properties (<see cref="HubSpotUpsertWriter.DefaultReadProperties"/>).</remarks>
    public static IReadOnlyList<DefinitionError> CheckReadBack(WorkflowDefinition definition, Func<int, IReadOnlyCollection<string>> written)
    {
        var errors = new List<DefinitionError>();
        if (definition.Pairing is null || Check(definition).Any(e => e.Path == "pairing"))
        {
            return errors;
        }

        for (var i = 0; i < definition.Streams.Count; i++)
        {
            var (stream, opposite) = (definition.Streams[i], definition.Streams[1 - i]);
            IReadOnlyCollection<string> readable = stream.Target.Connector == IvvyClient.ConnectorName
                ? IvvyWritable.TryGetValue(stream.Target.Object, out var spec) ? spec.ReadBack : []
                : [.. opposite.Source.Properties, .. stream.Target.Properties.Select(p => p.Name), stream.Target.ExternalKey?.Property ?? "",
                   .. HubSpotUpsertWriter.DefaultReadProperties.GetValueOrDefault(stream.Target.Object) ?? []];
            foreach (var field in written(i).Where(f => f != StreamSyncer.SkipKey && !readable.Contains(f)).Order(StringComparer.Ordinal))
            {
                errors.Add(new DefinitionError($"streams[{i}].map.template", stream.Target.Connector == IvvyClient.ConnectorName
                    ? $"writes '{field}', which iVvy's {stream.Target.Object} read does not return: a two-way module compares every field it writes with what iVvy holds"
                    : $"writes '{field}', which the module never reads from HubSpot: add it to streams[{1 - i}].source.properties"));
            }
        }

        return errors;
    }

    public ISourceReader CreateReader(SourceDefinition source, ApiCallMeter meter, IReadOnlyDictionary<string, string>? groupLists = null) => source.Connector switch
    {
        IvvyClient.ConnectorName when source.Object == IvvyGroups => new IvvySubscriptionGroupReader(CreateIvvyClient(meter)),
        HubSpotClient.ConnectorName when source.Object == HubSpotListMembers => new HubSpotListMembershipReader(CreateHubSpotClient(meter),
            groupLists ?? throw new ArgumentNullException(nameof(groupLists), "A list-membership reader needs the paired lists."), source.PageSize),
        IvvyClient.ConnectorName when IvvyPerEventObjects.TryGetValue(source.Object, out var perEvent) =>
            new IvvyPerEventReader(CreateIvvyClient(meter), perEvent.Action, perEvent.FromFilter, source.Cursor.Field, Math.Min(source.PageSize, ivvy.PerPage)),
        IvvyClient.ConnectorName => new IvvyModifiedReader(CreateIvvyClient(meter),
            IvvyObjects[source.Object] with { PerPage = Math.Min(source.PageSize, ivvy.PerPage), Parameters = source.Request }),
        HubSpotClient.ConnectorName => new HubSpotModifiedReader(CreateHubSpotClient(meter), source.Object, HubSpotObjects[source.Object], source.Properties,
            hubSpot.SearchSettleDelay, TimeSpan.FromSeconds(source.Cursor.OverlapSeconds)),
        _ => throw new InvalidOperationException($"No reader for connector '{source.Connector}'."),
    };

    public ITargetWriter CreateWriter(TargetDefinition target, ApiCallMeter meter) => target.Connector switch
    {
        HubSpotClient.ConnectorName when target.Object == "marketing-events" => new HubSpotMarketingEventWriter(CreateHubSpotClient(meter)),
        HubSpotClient.ConnectorName when target.Object == "marketing-event-participations" => new HubSpotAttendanceWriter(CreateHubSpotClient(meter)),
        HubSpotClient.ConnectorName when target.Object == "lists" => new HubSpotListWriter(CreateHubSpotClient(meter)),
        HubSpotClient.ConnectorName => new HubSpotUpsertWriter(CreateHubSpotClient(meter),
            target.Object, target.ExternalKey!.Property, target.ExternalKey.Label ?? target.ExternalKey.Property,
            customProperties: target.Properties.Select(p => (p.Name, p.Label)).ToList()),
        IvvyClient.ConnectorName => new IvvyUpsertWriter(CreateIvvyClient(meter), IvvyWritable[target.Object]),
        _ => throw new InvalidOperationException($"No writer for connector '{target.Connector}'."),
    };

    public IMembershipWriter CreateMembershipWriter(TargetDefinition target, ApiCallMeter meter) => target.Connector switch
    {
        HubSpotClient.ConnectorName => new HubSpotListMembershipWriter(CreateHubSpotClient(meter)),
        IvvyClient.ConnectorName => new IvvySubscriptionGroupWriter(CreateIvvyClient(meter)),
        _ => throw new InvalidOperationException($"No membership writer for connector '{target.Connector}'."),
    };

    // One pacer per account, shared by every stream and run in the process (this factory is a singleton).
    private readonly CallPacer _hubSpotPacer = new(hubSpot.RateLimit, time);
    private readonly CallPacer _ivvyPacer = new(ivvy.RateLimit, time);

    private HubSpotClient CreateHubSpotClient(ApiCallMeter meter) =>
        new(http.CreateClient(nameof(HubSpotClient)), hubSpot, meter, time, loggers.CreateLogger<HubSpotClient>(), _hubSpotPacer);

    private IvvyClient CreateIvvyClient(ApiCallMeter meter) =>
        new(http.CreateClient(nameof(IvvyClient)), ivvy, meter, time, loggers.CreateLogger<IvvyClient>(), _ivvyPacer);
}
