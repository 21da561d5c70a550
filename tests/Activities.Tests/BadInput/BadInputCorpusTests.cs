using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.HubSpot;
using IvvyWorkflows.Activities.Ivvy;
using IvvyWorkflows.Activities.Mapping;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Activities.Sync;
using IvvyWorkflows.Activities.Tests.HubSpot;
using IvvyWorkflows.Activities.Tests.Ivvy;
using IvvyWorkflows.Workflows;
using IvvyWorkflows.Workflows.Definitions;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Activities.Tests.BadInput;

/// <summary>
/// The bad-input corpus: records, templates, definitions, settings and credentials a user can get wrong, each with the
/// message it must produce (naming what and where: the record id, the template line and column, the definition path,
/// the setting) and, where there is other data, proof that the rest of it landed.
/// </summary>
public sealed class BadInputCorpusTests
{
    private const string Bad = "15";

    // ---- Records: one bad record among 30; it is quarantined with its reason (or cleaned), the other 29 land. ----

    public static TheoryData<string, Action<JsonObject>, string, int?> QuarantinedRecords => new()
    {
        { "email missing", r => r.Remove("email"), "email is required", 1 },
        { "email blank", r => r["email"] = "   ", "email is required", 1 },
        { "email null", r => r["email"] = null, "email is required", 1 },
        { "created date in words", r => r["createdDate"] = "yesterday", "ivvy_date: 'yesterday' is not an iVvy timestamp", 7 },
        { "created date a number", r => r["createdDate"] = 12345, "is not an iVvy timestamp", 7 },
        { "created date impossible", r => r["createdDate"] = "2024-02-30 10:00:00", "is not an iVvy timestamp", 7 },
        { "customFields not a list", r => r["customFields"] = "Gold", "custom_field: the first argument must be the customFields array", 6 },
        { "first name over the size limit", r => r["firstName"] = new string('x', 1_100_000), "LimitToString", null },
    };

    [Theory]
    [MemberData(nameof(QuarantinedRecords))]
    public async Task Record_Bad_IsQuarantinedWithItsReasonAndTheRestLand(string name, Action<JsonObject> spoil, string reason, int? line)
    {
        using var bed = new SyncBed();
        bed.Source.Touch(Bad, spoil);

        var (run, _) = await bed.RunAsync();

        var entry = await bed.QuarantinedAsync(Bad);
        Assert.True(entry is not null, name);
        Assert.Contains(reason, entry.Reason, StringComparison.Ordinal);
        if (line is not null)
        {
            Assert.Matches($@"templates/ivvy-contact-to-hubspot\.scriban\({line},\d+\): error:", entry.Reason);
        }

        AssertTheOthersLanded(bed, run, except: Bad);
        Assert.Equal(RunStatus.CompletedWithErrors, run.Status);
    }

    [Fact]
    public async Task Record_RefusedByTheTarget_IsQuarantinedAtUpsertAndTheRestLand()
    {
        using var bed = new SyncBed();
        bed.Target.Reject.Add(Bad);

        var (run, _) = await bed.RunAsync();

        var entry = await bed.QuarantinedAsync(Bad);
        Assert.Equal("upsert", entry!.Stage);
        Assert.Contains("INVALID_EMAIL", entry.Reason, StringComparison.Ordinal);
        AssertTheOthersLanded(bed, run, except: Bad);
    }

    /// <summary>Control characters are stripped from mapped text (a journal line names the record and field); tab and
    /// line breaks stay; structured values used as text go as JSON. Nothing is quarantined.</summary>
    public static TheoryData<string, Action<JsonObject>, string, string> CleanedRecords => new()
    {
        { "NUL in a first name", r => r["firstName"] = "Ann\u0000e", "firstname", "Anne" },
        { "BEL in a last name", r => r["lastName"] = "Sm\u0007ith", "lastname", "Smith" },
        { "ANSI colour in a last name", r => r["lastName"] = "\u001b[31mRed\u001b[0m", "lastname", "Red" },
        { "OSC title escape", r => r["lastName"] = "\u001b]0;pwned\u0007Jones", "lastname", "Jones" },
        { "C1 control", r => r["firstName"] = "\u009bAnna", "firstname", "Anna" },
        { "DEL", r => r["firstName"] = "Bo\u007fb", "firstname", "Bob" },
        { "escape in an email", r => r["email"] = "\u001b[1mbold@example.com", "email", "bold@example.com" },
        { "NUL in a custom field", r => r["customFields"] = new JsonArray(new JsonObject { ["fieldId"] = 7, ["value"] = "Go\u0000ld" }), "level", "Gold" },
    };

    [Theory]
    [MemberData(nameof(CleanedRecords))]
    public async Task Record_ControlCharacters_AreStrippedJournaledAndTheRecordLands(string name, Action<JsonObject> spoil, string property, string expected)
    {
        using var bed = new SyncBed();
        bed.Source.Touch(Bad, spoil);

        var (run, _) = await bed.RunAsync();

        Assert.Equal(expected, bed.Target.Records[Bad][property]!.GetValue<string>());
        Assert.Contains(bed.Logger.Lines, l => l.Contains($"record {Bad} was cleaned", StringComparison.Ordinal) && l.Contains($"{property}: ", StringComparison.Ordinal));
        Assert.Equal(30, bed.Target.Records.Count);
        Assert.True(run.Status == RunStatus.Completed, name);
    }

    [Theory]
    [InlineData("tab and line break", "A\tB\nC")]
    [InlineData("accents and emoji", "Zoë 🎉")]
    public async Task Record_PrintableText_IsNotTouched(string name, string text)
    {
        using var bed = new SyncBed();
        bed.Source.Touch(Bad, r => r["firstName"] = text);

        await bed.RunAsync();

        Assert.True(text == bed.Target.Records[Bad]["firstname"]!.GetValue<string>(), name);
        Assert.DoesNotContain(bed.Logger.Lines, l => l.Contains("cleaned", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"nested":[1,2]}""")]
    [InlineData("""["a","b"]""")]
    [InlineData("""{"line1":"1 Main St","city":"Sydney","countryCode":"AU"}""")]
    public async Task Record_StructuredCustomFieldUsedAsText_GoesAsJsonNotScribanText(string value)
    {
        const string asText = """
            {{~ level = custom_field record.customFields 7 | string.strip ~}}
            { "email": {{ record.email | json }}, "level": {{ level | json }} }
            """;
        using var bed = new SyncBed(asText);
        bed.Source.Touch(Bad, r => r["customFields"] = new JsonArray(new JsonObject { ["fieldId"] = 7, ["value"] = JsonNode.Parse(value) }));

        await bed.RunAsync();

        Assert.Equal(value, bed.Target.Records[Bad]["level"]!.GetValue<string>());
        Assert.Equal(30, bed.Target.Records.Count);
    }

    // ---- Templates that fail on every record: the run stops at once, saying why, and commits nothing of the page. ----

    public static TheoryData<string, string, string> BrokenTemplates => new()
    {
        { "endless loop", """{{ while true }}{{ end }}{ "email": {{ record.email | json }} }""", "iteration limit" },
        { "clock", """{ "email": {{ record.email | json }}, "at": {{ date.now | json }} }""", "date.now is not available" },
        { "include", """{{ include "other" }}{ "email": {{ record.email | json }} }""", "TemplateLoader" },
        { "output over the size limit", """{ "email": {{ "x" * 2000000 | json }} }""", "LimitToString" },
        { "endless recursion", """{{ func f; ret f; end; f }}{ "email": 1 }""", "recursive depth" },
        { "array output", """[ {{ record.email | json }} ]""", "must be a JSON object but is an array" },
        { "nothing rendered", """{{ "" }}""", "rendered nothing" },
        { "duplicate property", """{ "email": 1, "email": 2 }""", "not valid JSON" },
        { "required on a field no record has", """{ "email": {{ record.mail | required "mail" | json }} }""", "mail is required" },
    };

    [Theory]
    [MemberData(nameof(BrokenTemplates))]
    public async Task Template_FailsOnEveryRecord_StopsTheRunWithTheFirstReasonAndLosesNothing(string name, string template, string reason)
    {
        using var bed = new SyncBed(template, records: 30);

        var (run, last) = await bed.RunAsync();

        Assert.True(last.Fatal is not null, name);
        Assert.StartsWith("the template fails on every record: contacts/v1/templates/ivvy-contact-to-hubspot.scriban(", last.Fatal, StringComparison.Ordinal);
        Assert.Contains(reason, last.Fatal, StringComparison.Ordinal);
        Assert.Matches(@"\(\d+,\d+\): error:", last.Fatal);
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(last.Fatal, run.Error);
        Assert.Empty(bed.Target.Records);
        Assert.Empty(await bed.Store.ListQuarantineAsync("contacts")); // the page was not committed: nothing set aside

        // Nothing lost: once the template is fixed, the next run reads the same window and every record lands.
        var (fixedRun, _) = await bed.RunAsync(SyncBed.Load(SyncBed.Template));
        Assert.Equal(RunStatus.Completed, fixedRun.Status);
        Assert.Equal(30, bed.Target.Records.Count);
    }

    [Fact]
    public async Task Template_FailsOnEveryRecordAcrossSmallPages_StopsAfterTheSetting()
    {
        using var bed = new SyncBed("""{ "email": {{ date.now | json }} }""", records: 60, failFastAfter: 20, pageSize: 7);

        var (run, last) = await bed.RunAsync();

        Assert.Contains("the template fails on every record", last.Fatal, StringComparison.Ordinal);
        Assert.Equal(14, run.Counters.Read); // two pages of 7 committed (quarantined), the third stopped the run
        Assert.Equal(14, (await bed.Store.ListQuarantineAsync("contacts")).Count);
    }

    [Fact]
    public async Task Template_FailFastOff_QuarantinesEveryRecordAndEndsCompletedWithErrors()
    {
        using var bed = new SyncBed("""{ "email": {{ date.now | json }} }""", failFastAfter: 0);

        var (run, last) = await bed.RunAsync();

        Assert.Null(last.Fatal);
        Assert.Equal(RunStatus.CompletedWithErrors, run.Status);
        Assert.Equal(30, run.Counters.Quarantined);
    }

    [Fact]
    public async Task Template_FewerRecordsThanTheSettingAllFail_EndsCompletedWithErrors()
    {
        using var bed = new SyncBed("""{ "email": {{ date.now | json }} }""", records: 10);

        var (run, last) = await bed.RunAsync();

        Assert.Null(last.Fatal);
        Assert.Equal(RunStatus.CompletedWithErrors, run.Status);
        Assert.Equal(10, run.Counters.Quarantined);
    }

    [Fact]
    public async Task Template_FirstRecordsFailThenOneMaps_DoesNotStop()
    {
        using var bed = new SyncBed(failFastAfter: 6);
        for (var i = 1; i <= 5; i++)
        {
            bed.Source.Touch(i.ToString(), r => r.Remove("email"));
        }

        var (run, last) = await bed.RunAsync();

        Assert.Null(last.Fatal);
        Assert.Equal(5, run.Counters.Quarantined);
        Assert.Equal(25, bed.Target.Records.Count);
    }

    [Fact]
    public async Task Template_FailuresAtDifferentPlaces_DoNotStop()
    {
        using var bed = new SyncBed(failFastAfter: 4);
        foreach (var id in new[] { "1", "3" })
        {
            bed.Source.Touch(id, r => r.Remove("email"));
        }

        foreach (var id in new[] { "2", "4" })
        {
            bed.Source.Touch(id, r => r["createdDate"] = "soon");
        }

        var (run, last) = await bed.RunAsync();

        Assert.Null(last.Fatal);
        Assert.Equal(4, run.Counters.Quarantined);
        Assert.Equal(26, bed.Target.Records.Count);
    }

    [Fact]
    public async Task Run_NothingQuarantined_EndsCompleted()
    {
        using var bed = new SyncBed();

        var (run, _) = await bed.RunAsync();

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(30, bed.Target.Records.Count);
    }

    // ---- Definitions: each refused with the JSON path of what is wrong. ----

    public static TheoryData<string, Func<JsonNode, JsonNode>, string> BadDefinitions => new()
    {
        { "cursor missing", d => Remove(d["streams"]![0]!["source"]!, "cursor"), "streams[0].source.cursor: required" },
        { "page size zero", d => Set(d["streams"]![0]!["source"]!, "pageSize", 0), "streams[0].source.pageSize" },
        { "fail-fast negative", d => Set(d["run"]!, "failFastAfter", -1), "run.failFastAfter" },
        { "fail-fast text", d => Set(d["run"]!, "failFastAfter", "twenty"), "run.failFastAfter" },
        { "version as text", d => Set(d, "version", "one"), "version" },
        { "no streams", d => Set(d, "streams", new JsonArray()), "streams" },
        { "unknown run setting", d => Set(d["run"]!, "parallelism", 4), "run" },
        { "target without connector", d => Remove(d["streams"]![0]!["target"]!, "connector"), "streams[0].target.connector: required" },
    };

    [Theory]
    [MemberData(nameof(BadDefinitions))]
    public void Definition_Bad_IsRefusedWithItsPath(string name, Func<JsonNode, JsonNode> spoil, string path)
    {
        var json = spoil(JsonNode.Parse(File.ReadAllText(Path.Combine(Mapping.RepositoryPaths.Workflows, "contacts", "v1", "definition.json")))!);

        var error = Assert.Throws<DefinitionException>(() => WorkflowLoader.Load(json.ToJsonString(), _ => SyncBed.Template, "contacts/v1/definition.json", "sha256:x"));

        Assert.True(error.Errors.Any(e => e.ToString().StartsWith(path, StringComparison.Ordinal)), $"{name}: {error.Message}");
        Assert.IsAssignableFrom<BadInputException>(error);
        Assert.Contains("contacts/v1/definition.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Definition_NotJson_NamesLineAndPosition()
    {
        var error = Assert.Throws<DefinitionException>(() => WorkflowLoader.Load("{\n  \"id\": \"contacts\",\n  \"version\": }", _ => "", "d.json", "sha256:x"));

        Assert.StartsWith("(json line 3, position", Assert.Single(error.Errors).Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Definition_TemplateFileMissing_NamesTheStreamPath()
    {
        var error = Assert.Throws<DefinitionException>(() => WorkflowLoader.Load(
            File.ReadAllText(Path.Combine(Mapping.RepositoryPaths.Workflows, "contacts", "v1", "definition.json")), _ => null, "d.json", "sha256:x"));

        Assert.Equal("streams[0].map.template: 'templates/ivvy-contact-to-hubspot.scriban' does not exist", Assert.Single(error.Errors).ToString());
    }

    [Fact]
    public void Definition_UnknownObject_IsRefusedByTheConnectorCheck()
    {
        var loaded = SyncBed.Load(SyncBed.Template);
        var definition = loaded.Definition with { Streams = [loaded.Definition.Streams[0] with { Source = loaded.Definition.Streams[0].Source with { Object = "invoice" } }] };

        var error = Assert.Single(ConnectorFactory.Check(definition));

        Assert.Equal("streams[0].source", error.Path);
        Assert.Contains("invoice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Template_DoesNotParse_NamesLineAndColumn()
    {
        var errors = MappingTemplate.Check("contacts/v9/templates/t.scriban", "{\n  \"email\": {{ record.email | json \n}");

        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.StartsWith("contacts/v9/templates/t.scriban(3,1): error:", e.ToString(), StringComparison.Ordinal));
    }

    // ---- Templates a version cannot publish: no golden case, or a sandbox fault on generated samples. ----

    public static TheoryData<string, string, string, string> UnreadyTemplates => new()
    {
        // Passes its golden case (the record has an email) but calls the clock for a record without one.
        { "clock on a record without email", """{ "email": {{ if record.email; record.email | json; else; date.now | json; end }} }""", """{"email":"a@b.c"}""", "date.now is not available" },
        // Four iterations on the golden input, 2,500 on a sample whose list is long.
        { "nested loop over a list", """{{ n = 0; for a in record.tags; for b in record.tags; n = n + 1; end; end }}{ "n": {{ n }} }""", """{"tags":["x","y"]}""", "iteration limit" },
        // Fine on a short name, over the output limit on a long one.
        { "text blown up by its value", """{ "name": {{ record.name * 1000 | json }} }""", """{"name":"Al"}""", "LimitToString" },
    };

    [Theory]
    [MemberData(nameof(UnreadyTemplates))]
    public void TemplateReadiness_SandboxFaultOnASample_IsRefusedAtTheTemplatePath(string name, string template, string goldenInput, string reason)
    {
        using var folder = GoldenFolder.With(template, goldenInput);

        var errors = TemplateReadiness.Check(folder.Workflow, GoldenCase.Discover(folder.Root));

        var error = Assert.Single(errors);
        Assert.Equal("streams[0].map.template", error.Path);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Contains("contacts/v1/templates/ivvy-contact-to-hubspot.scriban(", StringComparison.Ordinal), name);
    }

    [Fact]
    public void TemplateReadiness_NoGoldenCase_IsRefused()
    {
        using var folder = GoldenFolder.With(SyncBed.Template, goldenInput: null);

        var error = Assert.Single(TemplateReadiness.Check(folder.Workflow, GoldenCase.Discover(folder.Root)));

        Assert.Equal("streams[0].map.template", error.Path);
        Assert.Contains("has no golden case", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TemplateReadiness_RecordProblemsOnSamples_AreNotFaults()
    {
        using var folder = GoldenFolder.With(SyncBed.Template, """{"email":"a@b.c","createdDate":"2024-01-01 10:00:00"}""");

        Assert.Empty(TemplateReadiness.Check(folder.Workflow, GoldenCase.Discover(folder.Root)));
    }

    [Fact]
    public void TemplateReadiness_EveryRepositoryVersion_IsReady()
    {
        var catalog = WorkflowCatalog.Open(Mapping.RepositoryPaths.Workflows);
        var golden = GoldenCase.Discover(catalog.Root);

        foreach (var module in catalog.Modules())
        {
            foreach (var version in catalog.Versions(module))
            {
                Assert.Empty(TemplateReadiness.Check(catalog.Load(module, version), golden));
            }
        }
    }

    // ---- Settings: each refused at start, naming the setting (never a secret's value). ----

    public static TheoryData<string, Action, string> BadSettings => new()
    {
        { "iVvy key missing", () => new IvvyClientOptions { ApiSecret = "s" }.ValidateOrThrow(), "ApiKey" },
        { "iVvy secret missing", () => new IvvyClientOptions { ApiKey = "k" }.ValidateOrThrow(), "ApiSecret" },
        { "iVvy page size", () => new IvvyClientOptions { ApiKey = "k", ApiSecret = "s", PerPage = 0 }.ValidateOrThrow(), "PerPage" },
        { "iVvy host not https", () => new IvvyClientOptions { ApiKey = "k", ApiSecret = "s", BaseUrl = new Uri("ftp://api.ivvy.com") }.ValidateOrThrow(), "Ivvy:BaseUrl" },
        { "iVvy retries", () => new IvvyClientOptions { ApiKey = "k", ApiSecret = "s", RemoteCall = { MaxRetries = 50 } }.ValidateOrThrow(), "MaxRetries" },
        { "HubSpot token missing", () => new HubSpotClientOptions().ValidateOrThrow(), "AccessToken" },
        { "HubSpot batch size", () => new HubSpotClientOptions { AccessToken = "t", BatchSize = 101 }.ValidateOrThrow(), "BatchSize" },
        { "HubSpot settle delay", () => new HubSpotClientOptions { AccessToken = "t", SearchSettleDelay = TimeSpan.FromHours(1) }.ValidateOrThrow(), "SearchSettleDelay" },
        { "template loop limit", () => MappingTemplate.Compile("t", "{}", new MappingTemplateOptions { LoopLimit = 0 }), "LoopLimit" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Setting_Bad_IsRefusedNamingIt(string name, Action validate, string setting)
    {
        var error = Assert.Throws<ValidationException>(validate);

        Assert.True(error.Message.Contains(setting, StringComparison.Ordinal), $"{name}: {error.Message}");
    }

    [Theory]
    [InlineData(0, 100, "--page must be 1 or more (got 0).")]
    [InlineData(1, 0, "--page-size must be between 1 and 10,000 (got 0).")]
    [InlineData(1, 20_000, "--page-size must be between 1 and 10,000 (got 20000).")]
    public void Setting_PageOutOfRange_IsBadInputNamingTheOption(int page, int size, string message)
    {
        var error = Assert.Throws<BadInputException>(() => PageRequest.Of(page, size));

        Assert.Equal(message, error.Message);
    }

    // ---- Credentials: refused once (never retried), naming the setting to fix, never echoing the secret. ----

    public static TheoryData<int, int?, string> IvvyCredentialErrors => new()
    {
        { 401, null, "Check Ivvy:ApiKey and Ivvy:ApiSecret" },
        { 401, 23005, "Check this machine's clock" },
        { 403, null, "Ivvy:ApiKey belongs to an iVvy user" },
        { 462, null, "update Ivvy:ApiKey and Ivvy:ApiSecret" },
        { 463, null, "revoked" },
    };

    [Theory]
    [MemberData(nameof(IvvyCredentialErrors))]
    public async Task Credentials_IvvyRefuses_StopsAfterOneCallNamingTheSetting(int status, int? specificCode, string advice)
    {
        var envelope = new JsonObject { ["errorCode"] = status, ["message"] = $"Invalid signature for {IvvyTestClients.ApiSecret}" };
        if (specificCode is not null)
        {
            envelope["specificCode"] = specificCode;
        }

        var handler = new ScriptedHandler { Otherwise = _ => new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(envelope.ToJsonString()) } };
        var client = IvvyTestClients.Create(handler, new FakeTimeProvider(IvvyTestClients.Now), IvvyTestClients.Options(maxRetries: 4));

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync("contact", "getContactList", null, CancellationToken.None));

        Assert.Equal(1, handler.Calls);
        Assert.Equal(FailureKind.Config, error.Kind);
        Assert.False(error.IsRetryable);
        Assert.Contains(advice, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(IvvyTestClients.ApiSecret, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<int, string?, string> HubSpotCredentialErrors => new()
    {
        { 401, null, "check HubSpot:AccessToken" },
        { 403, null, "lacks a required scope" },
        { 429, "DAILY", "daily API limit" },
    };

    [Theory]
    [MemberData(nameof(HubSpotCredentialErrors))]
    public async Task Credentials_HubSpotRefuses_StopsAfterOneCallNamingTheSetting(int status, string? policy, string advice)
    {
        var handler = new ScriptedHubSpotHandler((_, _, _) => ScriptedHubSpotHandler.Json(status, new JsonObject
        {
            ["status"] = "error", ["message"] = $"bad token {HubSpotTestClients.Token}", ["category"] = status == 429 ? "RATE_LIMITS" : "INVALID_AUTHENTICATION", ["policyName"] = policy,
        }));
        var client = HubSpotTestClients.Create(handler, new FakeTimeProvider(), HubSpotTestClients.Options(maxRetries: 4));

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.GetPropertyAsync("contacts", "email", CancellationToken.None));

        Assert.Equal(1, handler.Calls);
        Assert.Equal(FailureKind.Config, error.Kind);
        Assert.Contains(advice, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(HubSpotTestClients.Token, error.Message, StringComparison.Ordinal);
    }

    private static void AssertTheOthersLanded(SyncBed bed, RunRecord run, string except)
    {
        Assert.Equal(29, bed.Target.Records.Count);
        Assert.DoesNotContain(except, bed.Target.Records.Keys);
        Assert.Equal(30, run.Counters.Read);
        Assert.Equal(1, run.Counters.Quarantined);
    }

    private static JsonNode Remove(JsonNode node, string name)
    {
        node.AsObject().Remove(name);
        return node.Root;
    }

    private static JsonNode Set(JsonNode node, string name, JsonNode? value)
    {
        node[name] = value;
        return node.Root;
    }

    /// <summary>A workflows folder holding contacts v1 with the given template and, when given, one golden case
    /// whose expectation is whatever the template renders for its input (the cases test the samples, not the golden run).</summary>
    private sealed class GoldenFolder : IDisposable
    {
        private GoldenFolder(string root, LoadedWorkflow workflow) => (Root, Workflow) = (root, workflow);

        public string Root { get; }

        public LoadedWorkflow Workflow { get; }

        public static GoldenFolder With(string template, string? goldenInput)
        {
            var root = Directory.CreateTempSubdirectory("ivvy-ready-").FullName;
            var version = Path.Combine(root, "contacts", "v1");
            Directory.CreateDirectory(Path.Combine(version, "templates"));
            File.Copy(Path.Combine(Mapping.RepositoryPaths.Workflows, "contacts", "v1", "definition.json"), Path.Combine(version, "definition.json"));
            File.WriteAllText(Path.Combine(version, "templates", "ivvy-contact-to-hubspot.scriban"), template);
            if (goldenInput is not null)
            {
                var cases = Path.Combine(version, "golden", "ivvy-contact-to-hubspot");
                Directory.CreateDirectory(cases);
                File.WriteAllText(Path.Combine(cases, "001-case.input.json"), goldenInput);
                File.WriteAllText(Path.Combine(cases, "001-case.expected.json"), "{}");
            }

            return new GoldenFolder(root, WorkflowLoader.LoadFolder(version));
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }
}
