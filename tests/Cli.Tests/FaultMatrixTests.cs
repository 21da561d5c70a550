using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Ivvy;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Sandbox.Control;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>
/// HTTP faults at every stage boundary of a two-way sync, on each simulator, each checked against an uninterrupted run:
/// both simulators must end holding the same records with the same values, none twice, every pair kept on both sides.
/// </summary>
/// <remarks>
/// The scenario (contacts, the default two-way version): a first sync pairs a small seed; then iVvy users edit five
/// contacts, HubSpot users five others, and each side gains a new contact. The second run, the one faulted, crosses all of it:
/// it reads both sides, reads the current state of the paired records it is about to change, writes both sides and writes
/// the new pairs' keys back. A row arms one fault at each of a simulator's boundaries (one failed call each; the client's
/// retry must then get through) and checks every rule fired, so every boundary was reached.
/// </remarks>
[Collection(EndToEndCollection.Name)]
public sealed class FaultMatrixTests
{
    /// <summary>Where the second run crosses each stage boundary, as the calls that cross it.</summary>
    /// <remarks>The HubSpot → iVvy stream runs first: it reads the current state of the iVvy contacts it is about to change
    /// (getContact, before any getContactList), writes them through iVvy's batch namespace (six records) and writes the new
    /// pair's key back to HubSpot (the first batch/update). The iVvy → HubSpot stream then reads HubSpot's current state
    /// (batch/read), writes the new contact (batch/upsert) and the edited ones, and writes the new pair's key back to iVvy
    /// with a single addOrUpdateContact.</remarks>
    private static readonly Dictionary<string, (string Simulator, string Match)> Boundaries = new()
    {
        ["iVvy read"] = ("ivvy", "action=getContactList"),
        ["iVvy current-state read"] = ("ivvy", "action=getContact"),
        ["iVvy write"] = ("ivvy", "batch?action=run"),
        ["iVvy key write-back"] = ("ivvy", "action=addOrUpdateContact"),
        ["HubSpot read"] = ("hubspot", "/search"),
        ["HubSpot current-state read"] = ("hubspot", "batch/read"),
        ["HubSpot write"] = ("hubspot", "batch/upsert"),
        ["HubSpot key write-back"] = ("hubspot", "batch/update"),
    };

    private static readonly Dictionary<string, FaultRule> Faults = new()
    {
        ["429 with Retry-After"] = new FaultRule { Status = 429, RetryAfterSeconds = 1 },
        ["503"] = new FaultRule { Status = 503 },
        ["dropped connection"] = new FaultRule { DropConnection = true },
        // Longer than the attempt timeout below: the call takes effect, the client gives up on it and sends it again.
        ["slow response"] = new FaultRule { DelayMs = 1_500 },
    };

    private static readonly Lazy<Task<string>> Uninterrupted = new(() => RunScenarioAsync(fault: null, simulator: null));

    public static TheoryData<string, string> Rows()
    {
        var rows = new TheoryData<string, string>();
        foreach (var fault in Faults.Keys)
        {
            rows.Add(fault, "ivvy");
            rows.Add(fault, "hubspot");
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Run_FaultAtEveryBoundaryOfOneSimulator_EndsAsAnUninterruptedRun(string fault, string simulator)
    {
        var expected = await Uninterrupted.Value;
        // The uninterrupted run crossed every change and paired every contact, so a fault that loses one shows.
        Assert.Equal(5, expected.Split('\n').Count(l => l.StartsWith("hubspot ", StringComparison.Ordinal) && l.Contains("lastname=\"EditedInIvvy\"", StringComparison.Ordinal)));
        Assert.Equal(5, expected.Split('\n').Count(l => l.StartsWith("ivvy ", StringComparison.Ordinal) && l.Contains("firstName=\"EditedInHubSpot\"", StringComparison.Ordinal)));
        Assert.Equal(42, expected.Split('\n').Count(l => l.StartsWith("ivvy ", StringComparison.Ordinal) && l.EndsWith(" paired", StringComparison.Ordinal)));

        var actual = await RunScenarioAsync(fault, simulator);

        Assert.Equal(expected, actual);
    }

    /// <summary>Runs the scenario, with <paramref name="fault"/> armed at each boundary of <paramref name="simulator"/> for
    /// the second run, and returns both simulators' final state.</summary>
    private static async Task<string> RunScenarioAsync(string? fault, string? simulator)
    {
        using var bed = new SyncTestBed(seedCount: 40, settings: new Dictionary<string, string?>
        {
            ["HubSpot:SearchSettleDelay"] = "00:00:01",
            ["Ivvy:RemoteCall:AttemptTimeout"] = "00:00:01",
            ["HubSpot:RemoteCall:AttemptTimeout"] = "00:00:01",
            ["Ivvy:RemoteCall:BaseDelay"] = "00:00:00.050",
            ["HubSpot:RemoteCall:BaseDelay"] = "00:00:00.050",
        });
        await using var env = await bed.StartAsync();
        var sandbox = env.Sandbox!;
        var contacts = WorkflowCatalog.Open(SyncTestBed.Workflows).Load("contacts");

        Assert.Equal(RunStatus.Completed, (await SyncTestBed.RunAsync(env, contacts)).Status);
        bed.Clock.PassWindowMargins();
        for (var id = 5; id < 10; id++)
        {
            await sandbox.Ivvy.TouchContactAsync(id, c => c["lastName"] = "EditedInIvvy");
            var paired = await sandbox.HubSpot.FindByPropertyAsync("contacts", "ivvy_contact_id", (id + 5).ToString());
            await sandbox.HubSpot.TouchAsync("contacts", (string)paired!["id"]!, p => p["firstname"] = "EditedInHubSpot");
        }

        await AddIvvyContactAsync(sandbox.IvvyBaseUrl, bed.Clock, "Iris", "NewInIvvy", "iris.newinivvy@example.com");
        await AddHubSpotContactAsync(sandbox.HubSpotBaseUrl, "Hugo", "NewInHubSpot", "hugo.newinhubspot@example.org");
        bed.Clock.PassWindowMargins();

        var armed = new List<string>();
        if (fault is not null)
        {
            foreach (var (boundary, (owner, match)) in Boundaries.Where(b => b.Value.Simulator == simulator))
            {
                var controls = owner == "ivvy" ? sandbox.IvvyControls : sandbox.HubSpotControls;
                controls.ArmFault(Faults[fault] with { Match = match });
                armed.Add(boundary);
            }
        }

        sandbox.IvvyControls.ResetCalls();
        sandbox.HubSpotControls.ResetCalls();
        var run = await SyncTestBed.RunAsync(env, contacts);

        var journal = $"iVvy calls: {string.Join(", ", sandbox.IvvyControls.Calls)}; HubSpot calls: {string.Join(", ", sandbox.HubSpotControls.Calls)}";
        Assert.True(run.Status == RunStatus.Completed, $"{fault} on {simulator} ({string.Join(", ", armed)}): {run.Status} {run.Error}. {journal}");
        var unreached = sandbox.IvvyControls.ArmedFaults.Concat(sandbox.HubSpotControls.ArmedFaults).Select(f => f.Match).ToList();
        Assert.True(unreached.Count == 0, $"boundaries never reached: {string.Join(", ", unreached)}. {journal}");
        return await StateAsync(sandbox);
    }

    /// <summary>Both simulators' contacts, keyed and ordered so two runs compare as text: HubSpot's by the iVvy id they are
    /// paired with (or their email), iVvy's by id; a pair shows as "paired" when each side names the other.</summary>
    private static async Task<string> StateAsync(Sandbox.SandboxHost sandbox)
    {
        var hubSpot = await sandbox.HubSpot.AllAsync("contacts");
        var byId = hubSpot.ToDictionary(c => (string)c["id"]!);
        var lines = new List<string>();
        foreach (var group in hubSpot.GroupBy(c => (string?)c["ivvy_contact_id"] ?? "email:" + (string?)c["email"]))
        {
            Assert.True(group.Count() == 1, $"HubSpot holds {group.Count()} contacts for {group.Key}");
            var properties = group.Single().Where(p => p.Key is not ("id" or "createdate" or "lastmodifieddate") && !p.Key.StartsWith("hs_", StringComparison.Ordinal))
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => $"{p.Key}={p.Value?.ToJsonString()}");
            lines.Add($"hubspot {group.Key}: {string.Join(' ', properties)}");
        }

        var count = await sandbox.Ivvy.CountContactsAsync();
        for (int id = 1, found = 0; found < count; id++)
        {
            if (await sandbox.Ivvy.GetContactAsync(id) is not { } contact)
            {
                continue;
            }

            found++;
            var externalId = (string?)contact["externalId"];
            var pair = externalId is null ? "unpaired"
                : byId.TryGetValue(externalId, out var other) && (string?)other["ivvy_contact_id"] == id.ToString() ? "paired"
                : "broken pair " + externalId;
            var fields = new[] { "firstName", "lastName", "email", "phone", "customFields", "companies" }.Select(f => $"{f}={contact[f]?.ToJsonString()}");
            lines.Add($"ivvy {id}: {string.Join(' ', fields)} {pair}");
        }

        Assert.Equal(lines.Count, lines.Distinct().Count());
        return string.Join('\n', lines.Order(StringComparer.Ordinal));
    }

    private static async Task AddIvvyContactAsync(Uri baseUrl, TimeProvider clock, string first, string last, string email)
    {
        using var http = new HttpClient { BaseAddress = baseUrl };
        var body = Encoding.UTF8.GetBytes(new JsonObject { ["firstName"] = first, ["lastName"] = last, ["email"] = email }.ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "/api/1.0/contact?action=addOrUpdateContact"));
        IvvySignature.Apply(request, body, "sandbox-key", "sandbox-secret", clock.GetUtcNow());
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task AddHubSpotContactAsync(Uri baseUrl, string first, string last, string email)
    {
        using var http = new HttpClient { BaseAddress = baseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "pat-sandbox-token");
        var body = new JsonObject { ["properties"] = new JsonObject { ["firstname"] = first, ["lastname"] = last, ["email"] = email } };
        using var response = await http.PostAsync("/crm/v3/objects/contacts", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
