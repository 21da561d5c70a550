using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Designer;
using IvvyWorkflows.Designer.Api;
using IvvyWorkflows.Designer.Auth;
using IvvyWorkflows.Workflows.Definitions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// <c>--console</c>: the console's API over a big state store (10,000 runs, 100,000 quarantined records, 10,000
/// conflicts, a 10,000-record dry-run plan), each call timed through the real host over HTTP with a signed-in session.
/// </summary>
internal static class ConsoleBench
{
    private const int Runs = 10_000;
    private const int Quarantined = 100_000;
    private const int Conflicts = 10_000;
    private const int Planned = 10_000;
    private const int Calls = 200;

    /// <summary>The <c>after</c> token <paramref name="depth"/> entries down a list read by key (pages of 500).</summary>
    private static async Task<string> DeepAsync(HttpClient client, string list, int depth)
    {
        string? after = null;
        for (var read = 500; read <= depth; read += 500)
        {
            var page = await client.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>(
                new Uri($"{list}?pageSize=500{(after is null ? "" : "&after=" + after)}", UriKind.Relative));
            after = (string?)page!["next"] ?? throw new InvalidOperationException($"{list} ended before {depth:N0} entries.");
        }

        return after!;
    }

    public static async Task<int> RunAsync(bool smoke)
    {
        var data = Directory.CreateTempSubdirectory("ivvy-bench-console-").FullName;
        var root = FindRoot();
        try
        {
            var seeding = Stopwatch.StartNew();
            var scale = smoke ? 10 : 1;
            Seed(Path.Combine(data, "state.db"), WorkflowCatalog.Open(Path.Combine(root, "workflows")), Runs / scale, Quarantined / scale);
            Console.WriteLine($"seeded in {seeding.Elapsed.TotalSeconds:N1} s");

            await using var app = DesignerApp.Build(
            [
                "--urls", "http://127.0.0.1:0", $"--DataDirectory={data}", $"--WorkflowsDirectory={Path.Combine(root, "workflows")}",
                "--Schedules:Enabled=false", "--Engine:StopAzuriteOnExit=false", $"--Engine:TaskHubName=bc{Environment.ProcessId}", "--Sandbox:Ivvy:SeedCount=10",
            ]);
            await app.StartAsync();
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            var accounts = app.Services.GetRequiredService<Accounts>();
            accounts.AddUser("bench", Roles.Operator);
            accounts.SetPassword("bench", "bench password 1");
            using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = address };
            (await client.PostAsJsonAsync(new Uri("/api/auth/sign-in", UriKind.Relative), new SignInRequest("bench", "bench password 1"))).EnsureSuccessStatusCode();
            while ((await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode != HttpStatusCode.OK)
            {
                await Task.Delay(100);
            }

            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture, $"State store: {Runs / scale:N0} runs, {Quarantined / scale:N0} quarantined records, {Conflicts / scale:N0} conflicts, a {Planned / scale:N0}-record plan; {Calls} calls each after 10 to warm up.");
            report.AppendLine();
            report.AppendLine("| call | p50 ms | p95 ms | max ms |");
            report.AppendLine("|---|---:|---:|---:|");
            // The deep pages of the lists read by key: the token after 3/4 of the list, walked to with the API's own "next".
            var deepRuns = await DeepAsync(client, "/api/runs", Runs / scale * 3 / 4);
            var deepQuarantine = await DeepAsync(client, "/api/quarantine", Quarantined / scale * 3 / 4);
            foreach (var path in new[]
                     {
                         "/api/modules", "/api/modules/contacts", "/api/runs", $"/api/runs?pageSize=50&after={deepRuns}", "/api/runs?module=companies&status=Failed",
                         "/api/runs?dryRun=true&pageSize=200", "/api/runs/run-000042", "/api/runs/run-000007/plan?page=100&pageSize=50",
                         "/api/quarantine", $"/api/quarantine?pageSize=50&after={deepQuarantine}", "/api/quarantine?module=contacts&stage=map",
                         "/api/quarantine?reason=reason%207", "/api/quarantine/facets", "/api/quarantine/facets?module=contacts",
                         "/api/quarantine/contacts/contacts/4242", "/api/conflicts", "/api/conflicts?module=contacts&page=50",
                     })
            {
                var times = new List<double>();
                for (var i = 0; i < Calls + 10; i++)
                {
                    var watch = Stopwatch.StartNew();
                    using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
                    await response.Content.ReadAsByteArrayAsync();
                    watch.Stop();
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }

                    if (i >= 10)
                    {
                        times.Add(watch.Elapsed.TotalMilliseconds);
                    }
                }

                times.Sort();
                var shown = path.Contains("after=", StringComparison.Ordinal) ? path[..(path.IndexOf("after=", StringComparison.Ordinal) + 6)] + "(3/4 down)" : path;
                var row = string.Create(CultureInfo.InvariantCulture, $"| `GET {shown}` | {times[times.Count / 2]:N1} | {times[(int)(times.Count * 0.95)]:N1} | {times[^1]:N1} |");
                report.AppendLine(row);
                Console.WriteLine(row);
            }

            Console.WriteLine();
            Console.WriteLine(report);
            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, smoke ? "bench-console-smoke.md" : "bench-console.md"), report.ToString());
            await app.StopAsync();
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Writes the rows straight into the state store's tables (made by the store itself), in one transaction each.</summary>
    private static void Seed(string path, WorkflowCatalog catalog, int runs, int quarantined)
    {
        _ = new SqliteStateStore(path);
        string[] modules = ["contacts", "companies", "contact-emails"];
        var pins = modules.ToDictionary(m => m, m => (Loaded: catalog.Load(m), Pin: PinnedWorkflow.Pin(catalog.Load(m))));
        string[] statuses = ["Completed", "Completed", "Completed", "Failed", "Terminated"];
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        Insert(connection, runs, "INSERT INTO runs (run_id, module, version, content_hash, pinned_definition, dry_run, replay, status, owner, attempt, started_at, finished_at, error, read, created, updated, unchanged, quarantined, pages, api_calls) VALUES ($1,$2,$3,$4,$5,$6,0,$7,NULL,1,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)",
            i =>
            {
                var module = modules[i % modules.Length];
                var status = statuses[i % statuses.Length];
                var at = start.AddMinutes(5 * i);
                return [$"run-{i:D6}", module, pins[module].Loaded.Definition.Version, pins[module].Loaded.ContentHash, pins[module].Pin, i % 7 == 0 ? 1 : 0, status,
                    Format(at), Format(at.AddMinutes(3)), status == "Failed" ? "HubSpot answered 401 Unauthorized for POST /crm/v3/objects/contacts/batch/upsert" : null,
                    1000 + i % 500, i % 50, i % 30, 900, i % 5, 10, """{"ivvy:contact.getContactList":10,"hubspot:contacts.batchUpsert":10}"""];
            });
        Insert(connection, quarantined, "INSERT INTO quarantine (module, stream, source_id, stage, reason, payload, attempts, run_id, last_seen) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
            i => [modules[i % 2], modules[i % 2], (i / 2).ToString(CultureInfo.InvariantCulture), i % 3 == 0 ? "upsert" : "map", $"reason {i % 20}",
                $$"""{"contactId":{{i}},"email":"person{{i}}@example.com","firstName":"First{{i}}","lastName":"Last{{i}}","phone":"+61 2 5550 {{i % 10000:D4}}"}""",
                1 + i % 4, $"run-{i % runs:D6}", Format(start.AddSeconds(30 * i))]);
        Insert(connection, runs, "INSERT INTO conflicts (module, ivvy_id, crm_id, ivvy_value, crm_value, winner, policy, run_id, at) VALUES ($1,$2,$3,$4,$5,$6,'newest-wins',$7,$8)",
            i => [modules[i % 2], i.ToString(CultureInfo.InvariantCulture), (100000 + i).ToString(CultureInfo.InvariantCulture), $$"""{"phone":"0{{i}}"}""", $$"""{"phone":"1{{i}}"}""",
                i % 2 == 0 ? "ivvy" : "crm", $"run-{i % runs:D6}", Format(start.AddMinutes(i))]);
        Insert(connection, runs, "INSERT INTO plans (run_id, stream, source_id, action, reason) VALUES ('run-000007', 'contacts', $1, $2, $3)",
            i => [i.ToString(CultureInfo.InvariantCulture), i % 3 == 0 ? "create" : "update", i % 3 == 0 ? "new in iVvy" : "email changed"]);
    }

    private static void Insert(SqliteConnection connection, int count, string sql, Func<int, object?[]> row)
    {
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        var parameters = Enumerable.Range(1, sql.Count(c => c == '$')).Select(n => command.Parameters.Add(new SqliteParameter($"${n}", null))).ToList();
        for (var i = 0; i < count; i++)
        {
            var values = row(i);
            for (var p = 0; p < parameters.Count; p++)
            {
                parameters[p].Value = values[p] ?? DBNull.Value;
            }

            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IvvyWorkflows.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("IvvyWorkflows.sln not found above " + AppContext.BaseDirectory);
    }
}
