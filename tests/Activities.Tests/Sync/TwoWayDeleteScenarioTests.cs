using System.Globalization;
using System.Text.Json.Nodes;
using IvvyWorkflows.Sandbox.Ivvy;

namespace IvvyWorkflows.Activities.Tests.Sync;

/// <summary>
/// The two-way scenario suite's deletes and merges: for both two-way modules, a paired record deleted on each side under
/// each declared <c>pairing.onDelete</c>, and a CRM merge of two paired records (met first by either stream). Each row
/// asserts both sides, the pair-event journal, that nothing is duplicated, and that two further runs write nothing.
/// To add a case, add a row to <see cref="DeleteCases"/> or <see cref="MergeCases"/>.
/// </summary>
public sealed class TwoWayDeleteScenarioTests
{
    /// <summary>Module, onDelete.crm, onDelete.ivvy (null: not declared, so the default). The iVvy simulator deletes
    /// contacts only (iVvy's API has no delete action at all), so companies rows delete on the CRM side only.</summary>
    public static TheoryData<string, string?, string?> DeleteCases() => new()
    {
        { "contacts", null, null },
        { "contacts", "recreate", "recreate" },
        { "contacts", "unlink", "propagate" },
        { "companies", null, null },
        { "companies", "recreate", "propagate" },
    };

    /// <summary>Module, and whether the iVvy → CRM stream meets the merge first (from its read before writing) rather
    /// than the CRM → iVvy stream (from the merged record it reads).</summary>
    public static TheoryData<string, bool> MergeCases() => new()
    {
        { "contacts", false },
        { "contacts", true },
        { "companies", false },
        { "companies", true },
    };

    [Theory]
    [MemberData(nameof(DeleteCases))]
    public async Task Run_PairedRecordDeletedOnEitherSide_FollowsTheDeclaredPolicyJournaledNeverDuplicatedThenIdle(string module, string? crm, string? ivvy)
    {
        var sides = TwoWaySides.For(module);
        var field = sides.Fields[0];
        var onDelete = new JsonObject();
        if (crm is not null)
        {
            onDelete["crm"] = crm;
        }

        if (ivvy is not null)
        {
            onDelete["ivvy"] = ivvy;
        }

        await using var bed = await StartAsync(sides, onDelete);
        var ids = await sides.PairedIdsAsync(bed, 2);
        var (deletedInCrm, deletedInIvvy) = (ids[0], ids[1]);
        var goneCrmId = (string)(await sides.CrmAsync(bed, deletedInCrm))["id"]!;
        var keptCrmId = (string)(await sides.CrmAsync(bed, deletedInIvvy))["id"]!;
        var ivvyDeletes = module == "contacts";

        await bed.Sandbox.HubSpot.ArchiveAsync(sides.CrmType, goneCrmId);
        await TouchIvvyAsync(bed, module, deletedInCrm, field.Ivvy!, "Edited After Crm Delete");
        if (ivvyDeletes)
        {
            await bed.Sandbox.Ivvy.DeleteContactAsync(deletedInIvvy);
            await bed.Sandbox.HubSpot.TouchAsync(sides.CrmType, keptCrmId, p => p[field.Crm] = "Edited After Ivvy Delete");
        }

        var (crmCount, ivvyCount) = (await bed.Sandbox.HubSpot.CountAsync(sides.CrmType), await IvvyCountAsync(bed, module));
        bed.Time.Advance(TimeSpan.FromSeconds(2));
        await bed.RunTwiceAsync();

        var events = await bed.Store.ListPairEventsAsync(module);
        Assert.Equal(ivvyDeletes ? 2 : 1, events.Count);
        var crmEvent = Assert.Single(events, e => e.Side == "crm");
        Assert.Equal((Text(deletedInCrm), goneCrmId, "deleted", crm ?? "unlink"), (crmEvent.IvvyId, crmEvent.CrmId, crmEvent.Event, crmEvent.Action));
        var edited = await sides.IvvyAsync(bed, deletedInCrm);
        var recreated = await bed.Sandbox.HubSpot.FindByPropertyAsync(sides.CrmType, sides.Key, Text(deletedInCrm));
        if (crm == "recreate")
        {
            Assert.NotNull(recreated);
            Assert.NotEqual(goneCrmId, (string?)recreated["id"]);
            Assert.Equal("Edited After Crm Delete", (string?)recreated[field.Crm]);
            Assert.Equal((string?)recreated["id"], (string?)edited["externalId"]);
        }
        else
        {
            // Unlinked: nothing recreated, and iVvy's key still names the deleted record.
            Assert.Null(recreated);
            Assert.Equal(goneCrmId, (string?)edited["externalId"]);
        }

        if (ivvyDeletes)
        {
            var ivvyEvent = Assert.Single(events, e => e.Side == "ivvy");
            Assert.Equal((Text(deletedInIvvy), keptCrmId, "deleted", ivvy ?? "unlink"), (ivvyEvent.IvvyId, ivvyEvent.CrmId, ivvyEvent.Event, ivvyEvent.Action));
            var kept = (await bed.Sandbox.HubSpot.AllAsync(sides.CrmType)).SingleOrDefault(r => (string?)r["id"] == keptCrmId);
            var newIvvyId = kept?[sides.Key] is { } key ? int.Parse((string)key!, CultureInfo.InvariantCulture) : (int?)null;
            switch (ivvy)
            {
                case "recreate":
                    Assert.Equal(ivvyCount + 1, await IvvyCountAsync(bed, module));
                    Assert.NotEqual(deletedInIvvy, newIvvyId);
                    var again = await sides.IvvyAsync(bed, newIvvyId!.Value);
                    Assert.Equal("Edited After Ivvy Delete", (string?)again[field.Ivvy!]);
                    Assert.Equal(keptCrmId, (string?)again["externalId"]);
                    break;
                case "propagate":
                    Assert.Null(kept);
                    Assert.Equal(ivvyCount, await IvvyCountAsync(bed, module));
                    break;
                default:
                    Assert.Equal("Edited After Ivvy Delete", (string?)kept![field.Crm]);
                    Assert.Equal(deletedInIvvy, newIvvyId);
                    Assert.Equal(ivvyCount, await IvvyCountAsync(bed, module));
                    break;
            }
        }

        var expectedCrm = crmCount + (crm == "recreate" ? 1 : 0) - (ivvyDeletes && ivvy == "propagate" ? 1 : 0);
        Assert.Equal(expectedCrm, await bed.Sandbox.HubSpot.CountAsync(sides.CrmType));

        // An unlinked record's later edits stay where they are (a recreated one's cross once); then two runs write nothing.
        await TouchIvvyAsync(bed, module, deletedInCrm, field.Ivvy!, "Edited Again");
        bed.Time.Advance(TimeSpan.FromSeconds(2));
        var next = await bed.RunAsync();
        Assert.Equal(crm == "recreate" ? 1 : 0, next.Counters.Created + next.Counters.Updated);
        await bed.RunAsync();
        await AssertIdleAsync(bed, sides);
        Assert.Equal(expectedCrm, await bed.Sandbox.HubSpot.CountAsync(sides.CrmType));
        Assert.Equal(events.Count, (await bed.Store.ListPairEventsAsync(module)).Count);
    }

    [Theory]
    [MemberData(nameof(MergeCases))]
    public async Task Run_CrmMergesTwoPairedRecords_ThePairMovesToTheSurvivorIvvyIsToldAndTheOtherIsUnlinked(string module, bool ivvySideFirst)
    {
        var sides = TwoWaySides.For(module);
        var field = sides.Fields[0];
        await using var bed = await StartAsync(sides, onDelete: null);
        var ids = await sides.PairedIdsAsync(bed, 2);
        var (primaryIvvy, mergedIvvy) = (ids[0], ids[1]);
        var (primary, merged) = ((string)(await sides.CrmAsync(bed, primaryIvvy))["id"]!, (string)(await sides.CrmAsync(bed, mergedIvvy))["id"]!);

        var survivor = await bed.Sandbox.HubSpot.MergeAsync(sides.CrmType, primary, merged);
        var (crmCount, ivvyCount) = (await bed.Sandbox.HubSpot.CountAsync(sides.CrmType), await IvvyCountAsync(bed, module));
        bed.Time.Advance(TimeSpan.FromSeconds(2));
        if (ivvySideFirst)
        {
            await TouchIvvyAsync(bed, module, primaryIvvy, field.Ivvy!, "Edited Before The Merge Is Read");
            await TouchIvvyAsync(bed, module, mergedIvvy, field.Ivvy!, "Merged Away Edit");
            bed.Time.Advance(TimeSpan.FromSeconds(2));
            await bed.RunAsync(onlyStream: bed.Workflow.Definition.Streams.ToList().FindIndex(s => s.Source.Connector == "ivvy"));
        }

        await bed.RunTwiceAsync();

        Assert.Equal(survivor, (string?)(await sides.IvvyAsync(bed, primaryIvvy))["externalId"]);
        var events = await bed.Store.ListPairEventsAsync(module);
        Assert.Equal(2, events.Count);
        var moved = Assert.Single(events, e => e.IvvyId == Text(primaryIvvy));
        Assert.Equal((primary, "crm", "merged", "moved"), (moved.CrmId, moved.Side, moved.Event, moved.Action));
        var unlinked = Assert.Single(events, e => e.IvvyId == Text(mergedIvvy));
        Assert.Equal((merged, "crm", "merged", "unlink"), (unlinked.CrmId, unlinked.Side, unlinked.Event, unlinked.Action));
        Assert.Contains(survivor, unlinked.Detail);
        if (ivvySideFirst)
        {
            Assert.Equal("Edited Before The Merge Is Read", (string?)(await sides.CrmAsync(bed, primaryIvvy))[field.Crm]);
        }

        // The survivor carries the primary's iVvy record's edits from now on; the merged-away one's create nothing.
        await TouchIvvyAsync(bed, module, primaryIvvy, field.Ivvy!, "After Merge");
        await TouchIvvyAsync(bed, module, mergedIvvy, field.Ivvy!, "Merged Away");
        bed.Time.Advance(TimeSpan.FromSeconds(2));
        await bed.RunTwiceAsync();
        var survivorNow = await sides.CrmAsync(bed, primaryIvvy);
        Assert.Equal((survivor, "After Merge"), ((string?)survivorNow["id"], (string?)survivorNow[field.Crm]));
        Assert.Null(await bed.Sandbox.HubSpot.FindByPropertyAsync(sides.CrmType, sides.Key, Text(mergedIvvy)));
        await AssertIdleAsync(bed, sides);
        Assert.Equal((crmCount, ivvyCount), (await bed.Sandbox.HubSpot.CountAsync(sides.CrmType), await IvvyCountAsync(bed, module)));
        Assert.Equal(2, (await bed.Store.ListPairEventsAsync(module)).Count);
    }

    private static async Task<TwoWayBed> StartAsync(TwoWaySides sides, JsonObject? onDelete)
    {
        var bed = await TwoWayBed.StartAsync(sides.Module, sides.Version, "newest-wins", seedCount: sides.Module == "contacts" ? 30 : 200,
            onDelete: onDelete is { Count: > 0 } ? onDelete : null);
        await bed.RunAsync();
        await bed.RunAsync();
        return bed;
    }

    /// <summary>Two runs that write nothing and change nothing in the CRM.</summary>
    private static async Task AssertIdleAsync(TwoWayBed bed, TwoWaySides sides)
    {
        var before = new JsonArray([.. (await bed.Sandbox.HubSpot.AllAsync(sides.CrmType)).Select(r => (JsonNode?)r)]).ToJsonString();
        var first = await bed.RunAsync();
        var second = await bed.RunAsync();
        Assert.Equal((0, 0), (first.Counters.Created + first.Counters.Updated, second.Counters.Created + second.Counters.Updated));
        Assert.Equal(before, new JsonArray([.. (await bed.Sandbox.HubSpot.AllAsync(sides.CrmType)).Select(r => (JsonNode?)r)]).ToJsonString());
    }

    private static Task TouchIvvyAsync(TwoWayBed bed, string module, int id, string field, string value) => module == "contacts"
        ? bed.Sandbox.Ivvy.TouchContactAsync(id, c => c[field] = value)
        : bed.Sandbox.Ivvy.TouchCompanyAsync(id, c => c[field] = value);

    private static Task<int> IvvyCountAsync(TwoWayBed bed, string module) =>
        bed.Sandbox.Ivvy.CountAsync(module == "contacts" ? IvvyEntity.Contacts : IvvyEntity.Companies);

    private static string Text(int id) => id.ToString(CultureInfo.InvariantCulture);
}
