using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.Ivvy;
using IvvyWorkflows.Activities.State;
using Microsoft.Extensions.Logging.Abstractions;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>Contact emails → HubSpot email engagements: HTML kept with a plain-text rendition, huge bodies cut with a
/// note, each engagement associated with the paired contact.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ContactEmailsSyncTests
{
    [Fact]
    public async Task Run_AfterContacts_EveryEmailLandsAssociatedWithItsContact()
    {
        using var bed = new SyncTestBed(seedCount: 300);
        await using var env = await bed.StartAsync();
        var catalog = WorkflowCatalog.Open(SyncTestBed.Workflows);
        await SyncTestBed.RunAsync(env, catalog.Load("contacts"));

        var run = await SyncTestBed.RunAsync(env, catalog.Load("contact-emails"));

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(0, run.Counters.Quarantined);
        var emails = await env.Sandbox!.HubSpot.AllAsync("emails");
        Assert.Equal(run.Counters.Read, emails.Count);
        var contactOfLog = await ContactOfEachLogAsync(env);
        var truncated = 0;
        foreach (var email in emails)
        {
            var html = (string?)email["hs_email_html"] ?? "";
            var text = (string?)email["hs_email_text"] ?? "";
            Assert.InRange(html.Length, 1, 65_536);
            Assert.DoesNotContain("<script", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<p", text, StringComparison.OrdinalIgnoreCase);
            truncated += html.EndsWith("the full text is in iVvy]", StringComparison.Ordinal) ? 1 : 0;
            var associated = await env.Sandbox.HubSpot.AssociatedAsync("emails", (string)email["id"]!, "contacts");
            if (contactOfLog[(string)email["ivvy_email_log_id"]!] is { } ivvyContact)
            {
                var paired = await env.Sandbox.HubSpot.FindByPropertyAsync("contacts", "ivvy_contact_id", ivvyContact);
                Assert.Equal([(string)paired!["id"]!], associated);
            }
            else
            {
                Assert.Empty(associated); // an email to no contact (a user's) lands unassociated
            }
        }

        Assert.True(truncated > 0, "the seed's bodies over 200 KB should arrive cut, with a note");
        Assert.Contains(contactOfLog.Values, c => c is not null);
        var again = await SyncTestBed.RunAsync(env, catalog.Load("contact-emails"));
        Assert.Equal(0, again.Counters.Created + again.Counters.Updated);
    }

    /// <summary>Each email log's contactId, read through the iVvy API as the connector reads it.</summary>
    private static async Task<Dictionary<string, string?>> ContactOfEachLogAsync(SyncEnvironment env)
    {
        using var http = new HttpClient();
        var client = new IvvyClient(http, new IvvyClientOptions { BaseUrl = env.Sandbox!.IvvyBaseUrl, ApiKey = "sandbox-key", ApiSecret = "sandbox-secret" },
            new ApiCallMeter(), TimeProvider.System, NullLogger.Instance);
        var logs = new Dictionary<string, string?>();
        for (var start = 0; ; start += 100)
        {
            var page = await client.GetListAsync("account", "getEmailLogList", start, 100, null, CancellationToken.None);
            foreach (var log in page.Results)
            {
                logs[IvvyClient.IdOf(log)] = log["contactId"] is { } id ? id.ToJsonString().Trim('"') : null;
            }

            if (start + page.Count >= page.TotalResults)
            {
                return logs;
            }
        }
    }
}
