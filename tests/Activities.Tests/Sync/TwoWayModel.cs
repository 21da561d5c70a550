using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Sync;

namespace IvvyWorkflows.Activities.Tests.Sync;

/// <summary>One field both sides of a two-way module hold, by the name each side gives it.</summary>
/// <param name="Name">The scenario's name for it ("first", "phone", "diet"…).</param>
/// <param name="Ivvy">The iVvy field, or for a custom field null (see <paramref name="CustomFieldId"/>).</param>
/// <param name="Crm">The CRM property.</param>
/// <param name="CustomFieldId">An iVvy custom field's id.</param>
internal sealed record SideField(string Name, string? Ivvy, string Crm, int? CustomFieldId = null);

/// <summary>How a two-way module's records are read and edited on each simulator.</summary>
internal sealed class TwoWaySides
{
    private TwoWaySides(string module, int version, string crmType, string key, IReadOnlyList<SideField> fields)
    {
        Module = module;
        Version = version;
        CrmType = crmType;
        Key = key;
        Fields = fields;
    }

    public string Module { get; }

    public int Version { get; }

    public string CrmType { get; }

    /// <summary>The CRM property holding the iVvy id.</summary>
    public string Key { get; }

    public IReadOnlyList<SideField> Fields { get; }

    public static TwoWaySides For(string module) => module switch
    {
        "contacts" => new("contacts", 3, "contacts", "ivvy_contact_id",
        [
            new("first", "firstName", "firstname"),
            new("last", "lastName", "lastname"),
            new("email", "email", "email"),
            new("phone", "phone", "phone"),
            new("diet", null, "ivvy_dietary_requirements", 1),
            new("level", null, "ivvy_membership_level", 2),
        ]),
        "companies" => new("companies", 2, "companies", "ivvy_company_id",
        [
            new("name", "businessName", "name"),
            new("phone", "phone", "phone"),
        ]),
        _ => throw new ArgumentOutOfRangeException(nameof(module), module, "not a two-way module"),
    };

    /// <summary>The first <paramref name="count"/> iVvy ids that are paired (their CRM record carries the key).</summary>
    public async Task<IReadOnlyList<int>> PairedIdsAsync(TwoWayBed bed, int count)
    {
        var ids = (await bed.Sandbox.HubSpot.AllAsync(CrmType)).Select(r => (string?)r[Key]).OfType<string>().Select(int.Parse).Order().Take(count).ToList();
        Assert.Equal(count, ids.Count);
        return ids;
    }

    public async Task<JsonObject> IvvyAsync(TwoWayBed bed, int id) =>
        (Module == "contacts" ? await bed.Sandbox.Ivvy.GetContactAsync(id) : await bed.Sandbox.Ivvy.GetCompanyAsync(id))
        ?? throw new InvalidOperationException($"iVvy {Module} {id} is gone");

    public async Task<JsonObject> CrmAsync(TwoWayBed bed, int id) =>
        await bed.Sandbox.HubSpot.FindByPropertyAsync(CrmType, Key, id.ToString()) ?? throw new InvalidOperationException($"no {CrmType} record has {Key} {id}");

    public static string? IvvyValue(JsonObject record, SideField field) => field.CustomFieldId is { } fieldId
        ? FieldMerge.Normal((record["customFields"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(f => (int?)f["fieldId"] == fieldId)?["value"])
        : FieldMerge.Normal(record[field.Ivvy!]);

    public static string? CrmValue(JsonObject record, SideField field) => FieldMerge.Normal(record[field.Crm]);

    /// <summary>Edits the record as a user of that side would (its modified date moves).</summary>
    public async Task ApplyAsync(TwoWayBed bed, int id, SideField field, string side, string? value)
    {
        if (side == ConflictPolicy.Crm)
        {
            var crmId = (string)(await CrmAsync(bed, id))["id"]!;
            await bed.Sandbox.HubSpot.TouchAsync(CrmType, crmId, p => p[field.Crm] = value ?? "");
        }
        else if (field.CustomFieldId is { } fieldId)
        {
            await bed.Sandbox.Ivvy.TouchContactAsync(id, c =>
            {
                var fields = new JsonArray((c["customFields"] as JsonArray ?? []).OfType<JsonObject>().Where(f => (int?)f["fieldId"] != fieldId)
                    .Select(f => (JsonNode?)f.DeepClone()).ToArray());
                if (value is not null)
                {
                    fields.Add(new JsonObject { ["fieldId"] = fieldId, ["displayName"] = field.Name, ["value"] = value });
                }

                c["customFields"] = fields;
            });
        }
        else if (Module == "contacts")
        {
            await bed.Sandbox.Ivvy.TouchContactAsync(id, c => c[field.Ivvy!] = value);
        }
        else
        {
            await bed.Sandbox.Ivvy.TouchCompanyAsync(id, c => c[field.Ivvy!] = value);
        }
    }

    /// <summary>A random edit. Names and emails stay unique and present (both sides require them); the CRM never empties
    /// a custom field (contacts v3's template leaves iVvy's value then: see docs/two-way-sync.md).</summary>
    public TwoWayScenarioTests.Edit RandomEdit(Random random, int id, int round)
    {
        var side = random.Next(2) == 0 ? ConflictPolicy.Ivvy : ConflictPolicy.Crm;
        var field = Fields[random.Next(Fields.Count)];
        var tag = $"{side}{round}x{random.Next(1000)}";
        string? value = field.Name switch
        {
            "email" => $"r.{id}.{tag}@example.com",
            "phone" => random.Next(4) == 0 ? null : $"+61 400 {random.Next(1000):000} {random.Next(1000):000}",
            "diet" => side == ConflictPolicy.Ivvy && random.Next(4) == 0 ? null : new[] { "Vegan", "Halal", "Kosher" }[random.Next(3)],
            // A single select in iVvy: only its options.
            "level" => side == ConflictPolicy.Ivvy && random.Next(4) == 0 ? null : new[] { "Bronze", "Silver", "Gold", "Platinum" }[random.Next(4)],
            "name" => $"Company {id} {tag}",
            _ => $"N{tag}",
        };
        return new TwoWayScenarioTests.Edit(side, field.Name, value);
    }
}

/// <summary>What a conflict policy says both sides hold after a run: per field, the one side's edit if only one side
/// edited it, and if both did to different values, the policy's side (newest: the side whose record changed last).</summary>
internal sealed class TwoWayModel(TwoWaySides sides, string policy, IReadOnlyDictionary<string, string> owners)
{
    private readonly Dictionary<int, Dictionary<string, (string? Ivvy, string? Crm)>> _agreed = [];
    private readonly Dictionary<int, List<(TwoWayScenarioTests.Edit Edit, DateTimeOffset At)>> _pending = [];

    /// <summary>Takes what both sides hold now as agreed (and checks that they do agree).</summary>
    public async Task AgreeAsync(TwoWayBed bed, int id)
    {
        var (ivvy, crm) = (await sides.IvvyAsync(bed, id), await sides.CrmAsync(bed, id));
        _agreed[id] = sides.Fields.ToDictionary(f => f.Name, f => (TwoWaySides.IvvyValue(ivvy, f), TwoWaySides.CrmValue(crm, f)));
        _pending[id] = [];
    }

    public async Task EditAsync(TwoWayBed bed, int id, TwoWayScenarioTests.Edit edit)
    {
        var value = edit.Value?.Replace("{id}", id.ToString(), StringComparison.Ordinal);
        await sides.ApplyAsync(bed, id, sides.Fields.Single(f => f.Name == edit.Field), edit.Side, value);
        _pending[id].Add((edit with { Value = value }, bed.Time.GetUtcNow()));
    }

    /// <summary>After a run: checks both sides of the record against the model and the journal against its conflicts, then
    /// takes the result as agreed.</summary>
    /// <returns>How many conflict entries the run should have journaled for the record (0 or 1).</returns>
    public async Task<int> SettleAsync(TwoWayBed bed, int id, string label)
    {
        var (ivvy, crm) = (await sides.IvvyAsync(bed, id), await sides.CrmAsync(bed, id));
        var edits = _pending[id];
        var newer = edits.Where(e => e.Edit.Side == ConflictPolicy.Crm).Select(e => e.At).DefaultIfEmpty().Max()
                    > edits.Where(e => e.Edit.Side == ConflictPolicy.Ivvy).Select(e => e.At).DefaultIfEmpty().Max() ? ConflictPolicy.Crm : ConflictPolicy.Ivvy;
        var winners = new List<string>();
        foreach (var field in sides.Fields)
        {
            var (agreedIvvy, agreedCrm) = _agreed[id][field.Name];
            // A side changed the field when its last edit left a value other than the agreed one.
            var ivvyEdit = edits.LastOrDefault(e => e.Edit.Field == field.Name && e.Edit.Side == ConflictPolicy.Ivvy).Edit is { } ie && ie.Value != agreedIvvy ? ie : null;
            var crmEdit = edits.LastOrDefault(e => e.Edit.Field == field.Name && e.Edit.Side == ConflictPolicy.Crm).Edit is { } ce && ce.Value != agreedCrm ? ce : null;
            (string? Ivvy, string? Crm) expected = (ivvyEdit, crmEdit) switch
            {
                (null, null) => (agreedIvvy, agreedCrm),
                ({ } i, null) => (i.Value, i.Value),
                (null, { } c) => (c.Value, c.Value),
                ({ } i, { } c) when i.Value == c.Value => (i.Value, i.Value),
                ({ } i, { } c) => Winner(field, newer, winners) == ConflictPolicy.Ivvy ? (i.Value, i.Value) : (c.Value, c.Value),
            };
            Assert.True(expected == (TwoWaySides.IvvyValue(ivvy, field), TwoWaySides.CrmValue(crm, field)),
                $"{sides.Module} {policy}, {label}: {field.Name} should be iVvy {expected.Ivvy ?? "(empty)"} / CRM {expected.Crm ?? "(empty)"}, " +
                $"is iVvy {TwoWaySides.IvvyValue(ivvy, field) ?? "(empty)"} / CRM {TwoWaySides.CrmValue(crm, field) ?? "(empty)"}; agreed before: " +
                $"iVvy {agreedIvvy ?? "(empty)"} / CRM {agreedCrm ?? "(empty)"}; edits: {string.Join(", ", edits.Select(e => $"{e.Edit.Side} {e.Edit.Field}={e.Edit.Value ?? "(empty)"}"))}");
        }

        await AgreeAsync(bed, id);
        if (winners.Count == 0)
        {
            return 0;
        }

        var entry = (await bed.Store.ListConflictsAsync(sides.Module, limit: 10_000)).First(c => c.IvvyId == id.ToString());
        var winner = winners.Distinct().Count() == 1 ? winners[0] : "both";
        Assert.True(winner == entry.Winner, $"{sides.Module} {policy}, {label}: the journal says {entry.Winner} won, the policy {winner}");
        Assert.Equal(policy, entry.Policy);
        return 1;
    }

    /// <summary>Two more runs write nothing on either side.</summary>
    public async Task AssertIdleAsync(TwoWayBed bed)
    {
        var before = await bed.SnapshotAsync();
        var first = await bed.RunAsync();
        var second = await bed.RunAsync();
        Assert.Equal((0, 0), (first.Counters.Created + first.Counters.Updated, second.Counters.Created + second.Counters.Updated));
        Assert.Equal(before, await bed.SnapshotAsync());
    }

    private string Winner(SideField field, string newer, List<string> winners)
    {
        var side = policy switch
        {
            "ivvy-wins" => ConflictPolicy.Ivvy,
            "crm-wins" => ConflictPolicy.Crm,
            "field-owners" when owners.TryGetValue(field.Crm, out var owner) => owner,
            _ => newer,
        };
        winners.Add(side);
        return side;
    }
}
