using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Mapping;
using IvvyWorkflows.Designer.Auth;
using IvvyWorkflows.Designer.Data;
using IvvyWorkflows.Designer.Drafts;
using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Workflows.Definitions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IvvyWorkflows.Designer.Tests;

/// <summary>The service over a copy of the workflows folder, so publishing writes nowhere but the copy.</summary>
public sealed class DraftHost : IAsyncLifetime
{
    public ServiceHost Host { get; } = new();

    public string Workflows { get; } = Directory.CreateTempSubdirectory("ivvy-drafts-workflows-").FullName;

    public async Task InitializeAsync()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(ServiceHost.Root, "workflows"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(Workflows, Path.GetRelativePath(Path.Combine(ServiceHost.Root, "workflows"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        Host.Settings["WorkflowsDirectory"] = Workflows;
        await Host.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Directory.Delete(Workflows, recursive: true);
    }
}

/// <summary>Drafts: ETag-checked saves, the role rule, diff, validation, and publishing a new immutable version.
/// Each test uses a module of its own, so they do not see each other's drafts.</summary>
public sealed class DraftTests(DraftHost fixture) : IClassFixture<DraftHost>
{
    private const string CompanyTemplate = "templates/ivvy-company-to-hubspot.scriban";
    private ServiceHost Host => fixture.Host;

    [Fact]
    public async Task SaveFile_StaleETag_409AndTheOtherTabsSaveKept()
    {
        using var tab1 = await Host.SignInAsync(Roles.BusinessUser);
        using var tab2 = await Host.SignInAsync(Roles.Integrator);
        var opened = await OpenAsync(tab1, "events");
        var file = await ReadAsync(tab1, "events", "templates/ivvy-event-to-hubspot-marketing-event.scriban");
        Assert.Equal(opened.ETag, (string)file["etag"]!);

        var first = await tab2.PutAsJsonAsync(new Uri("/api/modules/events/draft/files", UriKind.Relative),
            new SaveDraftFile("templates/ivvy-event-to-hubspot-marketing-event.scriban", (string)file["content"]! + "\n", opened.ETag));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var saved = (await first.Content.ReadFromJsonAsync<DraftInfo>())!;
        Assert.NotEqual(opened.ETag, saved.ETag);

        var stale = await tab1.PutAsJsonAsync(new Uri("/api/modules/events/draft/files", UriKind.Relative),
            new SaveDraftFile("templates/ivvy-event-to-hubspot-marketing-event.scriban", "{{ lost }}", opened.ETag));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("changed since you loaded it", await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((string)file["content"]! + "\n", (string)(await ReadAsync(tab1, "events", "templates/ivvy-event-to-hubspot-marketing-event.scriban"))["content"]!);

        var draft = (await tab1.GetFromJsonAsync<DraftInfo>(new Uri("/api/modules/events/draft", UriKind.Relative)))!;
        Assert.Equal(saved.ETag, draft.ETag);
        Assert.Equal("modified", draft.Files.Single(f => f.Path == "templates/ivvy-event-to-hubspot-marketing-event.scriban").Status);
        Assert.True(draft.TemplatesOnly);
    }

    [Fact]
    public async Task SaveFile_DefinitionAsBusinessUser_403AndFileUnchanged()
    {
        using var business = await Host.SignInAsync(Roles.BusinessUser);
        var opened = await OpenAsync(business, "attendees");
        var before = (string)(await ReadAsync(business, "attendees", "definition.json"))["content"]!;

        var response = await business.PutAsJsonAsync(new Uri("/api/modules/attendees/draft/files", UriKind.Relative),
            new SaveDraftFile("definition.json", before.Replace("\"enabledByDefault\"", "\"enabledByDefault\" ", StringComparison.Ordinal), opened.ETag));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("integrator", (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, (string)(await ReadAsync(business, "attendees", "definition.json"))["content"]!);
    }

    [Fact]
    public async Task SaveFile_PathOutsideTheVersionFolder_400()
    {
        using var integrator = await Host.SignInAsync(Roles.Integrator);
        var opened = await OpenAsync(integrator, "registrations");

        var response = await integrator.PutAsJsonAsync(new Uri("/api/modules/registrations/draft/files", UriKind.Relative),
            new SaveDraftFile("templates/../../published.json", "{}", opened.ETag));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("templates/../../published.json", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_TemplateOnlyChangeAsBusinessUser_WritesNextVersionBaseUnchangedValidates()
    {
        var v2 = Path.Combine(fixture.Workflows, "companies", "v2");
        var v2Bytes = Directory.EnumerateFiles(v2, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);
        using var business = await Host.SignInAsync(Roles.BusinessUser);
        var opened = await OpenAsync(business, "companies");
        Assert.Equal(2, opened.BaseVersion);
        var template = (string)(await ReadAsync(business, "companies", CompanyTemplate))["content"]!;
        var saved = (await (await business.PutAsJsonAsync(new Uri("/api/modules/companies/draft/files", UriKind.Relative),
            new SaveDraftFile(CompanyTemplate, template.Replace("# iVvy company", "# An iVvy company", StringComparison.Ordinal), opened.ETag)))
            .Content.ReadFromJsonAsync<DraftInfo>())!;

        var diff = (await business.GetFromJsonAsync<List<FileDiff>>(new Uri("/api/modules/companies/draft/diff", UriKind.Relative)))!;
        var lines = Assert.Single(diff).Lines;
        Assert.Contains(lines, l => l.Op == "-" && l.Text.Contains("# iVvy company", StringComparison.Ordinal) && l.OldLine == 2);
        Assert.Contains(lines, l => l.Op == "+" && l.Text.Contains("# An iVvy company", StringComparison.Ordinal) && l.NewLine == 2);

        var response = await business.PostAsJsonAsync(new Uri("/api/modules/companies/draft/publish", UriKind.Relative), new PublishDraft(saved.ETag));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var version = (await response.Content.ReadFromJsonAsync<VersionInfo>())!;
        Assert.Equal(3, version.Version);
        var v3 = Path.Combine(fixture.Workflows, "companies", "v3");
        Assert.Contains("# An iVvy company", await File.ReadAllTextAsync(Path.Combine(v3, CompanyTemplate)), StringComparison.Ordinal);
        Assert.All(v2Bytes, f => Assert.Equal(f.Value, File.ReadAllBytes(f.Key)));
        Assert.Equal(v2Bytes.Count, Directory.EnumerateFiles(v2, "*", SearchOption.AllDirectories).Count());
        var catalog = WorkflowCatalog.Open(fixture.Workflows);
        Assert.Equal(version.Hash, catalog.Published["companies/v3"]);
        Assert.Empty(catalog.VerifyPublished("companies"));
        var loaded = CheckedDefinitions.LoadReady(catalog, "companies", 3, GoldenCase.Discover(fixture.Workflows));
        Assert.Equal(3, loaded.Definition.Version);
        Assert.All(GoldenCase.Discover(fixture.Workflows).Where(c => c.Module == "companies" && c.Version == "v3"), c => Assert.True(c.Run().Passed));

        var versions = (await business.GetFromJsonAsync<List<VersionInfo>>(new Uri("/api/modules/companies/versions", UriKind.Relative)))!;
        Assert.Equal([1, 2, 3], versions.Select(v => v.Version));
        Assert.NotNull(versions[2].PublishedBy);
        Assert.StartsWith(Roles.BusinessUser, versions[2].PublishedBy, StringComparison.Ordinal);
        Assert.Null(versions[1].PublishedBy);
        Assert.Equal(HttpStatusCode.NotFound, (await business.GetAsync(new Uri("/api/modules/companies/draft", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Publish_DefinitionChange_BusinessUser403IntegratorPublishes()
    {
        using var integrator = await Host.SignInAsync(Roles.Integrator);
        using var business = await Host.SignInAsync(Roles.BusinessUser);
        var opened = await OpenAsync(integrator, "subscription-groups");
        var definition = (string)(await ReadAsync(integrator, "subscription-groups", "definition.json"))["content"]!;
        var node = JsonNode.Parse(definition)!;
        var title = (string)node["title"]!;
        var saved = (await (await integrator.PutAsJsonAsync(new Uri("/api/modules/subscription-groups/draft/files", UriKind.Relative),
            new SaveDraftFile("definition.json", definition.Replace(title, title + " (renamed)", StringComparison.Ordinal), opened.ETag)))
            .Content.ReadFromJsonAsync<DraftInfo>())!;
        Assert.False(saved.TemplatesOnly);

        var refused = await business.PostAsJsonAsync(new Uri("/api/modules/subscription-groups/draft/publish", UriKind.Relative), new PublishDraft(saved.ETag));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("definition.json", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(fixture.Workflows, "subscription-groups", "v2")));

        var published = await integrator.PostAsJsonAsync(new Uri("/api/modules/subscription-groups/draft/publish", UriKind.Relative), new PublishDraft(saved.ETag));
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        var v2 = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(fixture.Workflows, "subscription-groups", "v2", "definition.json")))!;
        Assert.Equal(2, (int)v2["version"]!);
        Assert.Equal(title + " (renamed)", (string)v2["title"]!);
    }

    [Fact]
    public async Task Publish_TemplateThatDoesNotCompile_422WithLineAndColumnNothingWritten()
    {
        using var integrator = await Host.SignInAsync(Roles.Integrator);
        var opened = await OpenAsync(integrator, "contact-emails");
        var saved = (await (await integrator.PutAsJsonAsync(new Uri("/api/modules/contact-emails/draft/files", UriKind.Relative),
            new SaveDraftFile("templates/ivvy-email-log-to-hubspot-email.scriban", "{\n  \"a\": {{ record.x | }}\n}", opened.ETag)))
            .Content.ReadFromJsonAsync<DraftInfo>())!;

        var validation = (await (await integrator.PostAsync(new Uri("/api/modules/contact-emails/draft/validate", UriKind.Relative), null))
            .Content.ReadFromJsonAsync<DraftValidation>())!;
        Assert.False(validation.Valid);
        Assert.Contains(validation.Problems, p => p.Message.Contains("ivvy-email-log-to-hubspot-email.scriban(2,", StringComparison.Ordinal));

        var response = await integrator.PostAsJsonAsync(new Uri("/api/modules/contact-emails/draft/publish", UriKind.Relative), new PublishDraft(saved.ETag));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(fixture.Workflows, "contact-emails", "v2")));
        Assert.False(WorkflowCatalog.Open(fixture.Workflows).IsPublished("contact-emails", 2));
        Assert.Equal(HttpStatusCode.OK, (await integrator.GetAsync(new Uri("/api/modules/contact-emails/draft", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Open_AfterRestart_SameDraftAndETag()
    {
        using var integrator = await Host.SignInAsync(Roles.Integrator);
        var opened = await OpenAsync(integrator, "bookings");
        Assert.Equal(HttpStatusCode.NoContent, (await integrator.DeleteAsync(new Uri("/api/modules/bookings/draft", UriKind.Relative))).StatusCode);
        var reopened = await OpenAsync(integrator, "bookings");
        Assert.NotEqual(opened.ETag, reopened.ETag);

        // A second store over the same folders stands for the service after a restart.
        var settings = Host.App.Services.GetRequiredService<IOptions<IvvyWorkflowsSettings>>();
        var restarted = new DraftStore(settings, Host.App.Services.GetRequiredService<ServiceStore>(), TimeProvider.System);
        var draft = restarted.Get("bookings");
        Assert.NotNull(draft);
        Assert.Equal(reopened.ETag, draft.ETag);
        Assert.Equal(reopened.OpenedBy, draft.OpenedBy);
    }

    [Fact]
    public async Task Preview_LiveSandboxRecord_SyntaxErrorAtLineAndColumnThenOutput()
    {
        using var business = await Host.SignInAsync(Roles.BusinessUser);
        await OpenAsync(business, "contacts");
        var samples = (await business.GetFromJsonAsync<List<TemplateSample>>(new Uri("/api/modules/contacts/draft/samples?stream=ivvy-to-hubspot", UriKind.Relative)))!;
        var live = samples.First(s => s.Kind == "live");
        Assert.Contains(samples, s => s.Kind == "golden");

        var broken = await PreviewAsync(business, new PreviewRequest("ivvy-to-hubspot", "{\n  \"email\": {{ record.email | }}\n}", live.Record));
        Assert.Null(broken.Output);
        var diagnostic = Assert.Single(broken.Diagnostics);
        Assert.Equal(2, diagnostic.Line);
        Assert.True(diagnostic.Column > 20, diagnostic.Text);

        var fixedPreview = await PreviewAsync(business, new PreviewRequest("ivvy-to-hubspot", "{\n  \"email\": {{ record.email | json }}\n}", live.Record));
        Assert.Empty(fixedPreview.Diagnostics);
        Assert.Equal((string?)live.Record["email"], (string?)fixedPreview.Output!["email"]);
    }

    [Theory]
    [InlineData("{\n  \"id\": \"m\",\n  \"version\": 2,\n  \"streams\": [{ \"version\": 2 }]\n}", "{\n  \"id\": \"m\",\n  \"version\": 3,\n  \"streams\": [{ \"version\": 2 }]\n}")]
    [InlineData("{ \"streams\": [{ \"version\": 2 }], \"version\": 2 }", "{ \"streams\": [{ \"version\": 2 }], \"version\": 3 }")]
    [InlineData("{ \"version\": 5 }", "{ \"version\": 5 }")]
    public void Renumber_TopLevelVersion_OnlyWhenItIsTheBase(string json, string expected) =>
        Assert.Equal(expected, DraftStore.Renumber(json, 2, 3));

    private static async Task<DraftInfo> OpenAsync(HttpClient client, string module)
    {
        var response = await client.PostAsync(new Uri($"/api/modules/{module}/draft", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<DraftInfo>())!;
    }

    private static async Task<TemplatePreviewResult> PreviewAsync(HttpClient client, PreviewRequest request)
    {
        var response = await client.PostAsJsonAsync(new Uri("/api/modules/contacts/draft/preview", UriKind.Relative), request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<TemplatePreviewResult>())!;
    }

    private static async Task<JsonObject> ReadAsync(HttpClient client, string module, string path) =>
        (await client.GetFromJsonAsync<JsonObject>(new Uri($"/api/modules/{module}/draft/files?path={Uri.EscapeDataString(path)}", UriKind.Relative)))!;
}
