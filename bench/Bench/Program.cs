using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.HubSpot;
using IvvyWorkflows.Activities.Ivvy;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Activities.Sync;
using IvvyWorkflows.Workflows.Definitions;
using IvvyWorkflows.Workflows.Orchestrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// The benchmark harness. Every scenario runs against the sandbox as its own process (so the worker's memory is the
// worker's alone) and compares, in one run, the durable CLI with a plain in-process loop making the same calls.
//   dotnet run --project bench/Bench -c Release              full run (figures for bench/README.md)
//   dotnet run --project bench/Bench -c Release -- --smoke   small run for CI
//   dotnet run --project bench/Bench -c Release -- --console the console's API over a big state store (add --smoke: a tenth)
var smoke = args.Contains("--smoke");
if (args.Contains("--console"))
{
    return await ConsoleBench.RunAsync(smoke);
}

var bench = new Harness(Path.Combine(Path.GetTempPath(), "ivvy-bench-" + Environment.ProcessId));
var report = new StringBuilder();
try
{
    await bench.StartAsync();
    var sizes = smoke ? [1_000] : new[] { 10_000, 100_000 };
    report.AppendLine("| contacts | latency (iVvy/HubSpot) | durable records/s | plain records/s | durable ÷ plain time | API calls (optimum) | peak RSS MiB | pages | history rows at end |");
    report.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    var rss = new Dictionary<int, long>();
    foreach (var size in sizes)
    {
        var row = await bench.CompareAsync(size, ivvyLatencyMs: 0, hubSpotLatencyMs: 0);
        rss[size] = row.PeakRssMb;
        report.AppendLine(row.ToMarkdown());
        Console.WriteLine(row.ToMarkdown());
    }

    var latencySize = smoke ? 300 : 10_000;
    var slow = await bench.CompareAsync(latencySize, ivvyLatencyMs: 150, hubSpotLatencyMs: 200);
    report.AppendLine(slow.ToMarkdown());
    Console.WriteLine(slow.ToMarkdown());

    var resume = await bench.ResumeAfterKillAsync(smoke ? 3_000 : 10_000);
    report.AppendLine();
    report.AppendLine(CultureInfo.InvariantCulture, $"Restart → first new upsert after `kill -9` mid-run: **{resume.TotalSeconds:N2} s** (includes process start, engine start and Azurite reuse).");
    if (rss.Count == 2)
    {
        report.AppendLine(CultureInfo.InvariantCulture, $"Peak RSS at {sizes[1]:N0} ÷ at {sizes[0]:N0}: **{(double)rss[sizes[1]] / rss[sizes[0]]:N2}×**.");
    }

    var modules = await bench.ModuleCallsAsync(smoke ? 500 : 10_000, ["contacts", "companies", "subscription-groups"]);
    report.AppendLine();
    report.AppendLine("| module (0 ms) | records read | first run: API calls | calls per record | seconds | second run: read | API calls | writes | seconds | idle run: API calls | idle writes |");
    report.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var row in modules)
    {
        report.AppendLine(row.ToMarkdown());
    }

    Console.WriteLine();
    Console.WriteLine(report);
    File.WriteAllText(Path.Combine(AppContext.BaseDirectory, smoke ? "bench-smoke.md" : "bench-results.md"), report.ToString());
    return 0;
}
finally
{
    await bench.DisposeAsync();
}

/// <summary>One line of the results table.</summary>
internal sealed record Comparison(int Contacts, int IvvyLatencyMs, int HubSpotLatencyMs, double DurableSeconds, double PlainSeconds,
    long ApiCalls, long OptimumCalls, long PeakRssMb, long Pages, int HistoryRows)
{
    public string ToMarkdown() => string.Create(CultureInfo.InvariantCulture,
        $"| {Contacts:N0} | {IvvyLatencyMs} / {HubSpotLatencyMs} ms | {Contacts / DurableSeconds:N0} | {Contacts / PlainSeconds:N0} | {DurableSeconds / PlainSeconds:N2}× | {ApiCalls:N0} ({OptimumCalls:N0}) | {PeakRssMb} | {Pages:N0} | {HistoryRows} |");
}

/// <summary>What a default module costs: its first sync of a seeded sandbox, the second run (where a two-way module
/// reads its own writes back: they must cost no write), and a third, idle run.</summary>
internal sealed record ModuleCalls(string Module, long Read, long FirstCalls, double FirstSeconds, long SecondRead, long SecondCalls, long SecondWrites,
    double SecondSeconds, long IdleCalls, long IdleWrites)
{
    public string ToMarkdown() => string.Create(CultureInfo.InvariantCulture,
        $"| {Module} | {Read:N0} | {FirstCalls:N0} | {(double)FirstCalls / Math.Max(1, Read):N3} | {FirstSeconds:N1} | {SecondRead:N0} | {SecondCalls:N0} | {SecondWrites:N0} | {SecondSeconds:N1} | {IdleCalls:N0} | {IdleWrites:N0} |");
}

/// <summary>Starts sandboxes and CLI runs as child processes, and runs the plain loop in process.</summary>
internal sealed class Harness(string root) : IAsyncDisposable
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "IvvyWorkflows.Cli.dll");
    private static readonly string Workflows = FindWorkflows();
    private readonly List<Process> _children = [];
    // One Azurite for every scenario, on free ports, started here and stopped gracefully at the end, before its data
    // folder goes: the CLI children get its connection string (external storage to them), so they never stop it.
    private readonly IvvyWorkflows.Engine.AzuriteLauncher _azurite = new();
    private string _storage = "";
    private int _scenario;

    public async Task StartAsync() => _storage = (await _azurite.EnsureRunningAsync(Path.Combine(root, "azurite"))).ConnectionString;

    public async Task<Comparison> CompareAsync(int contacts, int ivvyLatencyMs, int hubSpotLatencyMs)
    {
        // Durable: the CLI, as a user runs it, against a fresh sandbox.
        var (durable, sandboxDir) = (Scenario(), Scenario());
        await using (var sandbox = await StartSandboxAsync(sandboxDir, contacts, ivvyLatencyMs, hubSpotLatencyMs))
        {
            var hub = "bench" + Guid.NewGuid().ToString("N")[..12];
            var summary = await RunCliAsync(durable, sandbox, hub);
            var calls = summary["apiCalls"]!.AsObject().Sum(c => (long)c.Value!);
            var history = await HistoryRowsAsync(hub, (string)summary["runId"]! + ".1");
            var plainSandboxDir = Scenario();
            await using var plainSandbox = await StartSandboxAsync(plainSandboxDir, contacts, ivvyLatencyMs, hubSpotLatencyMs);
            var plain = await PlainLoopAsync(Scenario(), plainSandbox);
            return new Comparison(contacts, ivvyLatencyMs, hubSpotLatencyMs, (double)summary["elapsedSeconds"]!, plain.TotalSeconds, calls,
                2L * ((contacts + 99) / 100), (long)summary["peakMemoryMb"]!, (long)summary["pages"]!, history);
        }
    }

    /// <summary>Runs each module on one sandbox of <paramref name="contacts"/> contacts at 0 ms, then each again twice with
    /// nothing changed: the second run reads the first runs' own writes back, the third is idle. Calls per record, what
    /// reading our own writes costs, and what an idle run costs.</summary>
    public async Task<IReadOnlyList<ModuleCalls>> ModuleCallsAsync(int contacts, IReadOnlyList<string> modules)
    {
        var data = Scenario();
        await using var sandbox = await StartSandboxAsync(Scenario(), contacts, 0, 0);
        var hub = "bench" + Guid.NewGuid().ToString("N")[..12];
        var first = new List<JsonObject>();
        foreach (var module in modules)
        {
            first.Add(await RunCliAsync(data, sandbox, hub, ["run", module, "--json"]));
        }

        // Two-way modules read their own writes back once (as echoes: they must write nothing).
        var second = new List<JsonObject>();
        foreach (var module in modules)
        {
            second.Add(await RunCliAsync(data, sandbox, hub, ["run", module, "--json"]));
        }

        var rows = new List<ModuleCalls>();
        for (var i = 0; i < modules.Count; i++)
        {
            var idle = await RunCliAsync(data, sandbox, hub, ["run", modules[i], "--json"]);
            rows.Add(new ModuleCalls(modules[i], (long)first[i]["read"]!, Calls(first[i]), (double)first[i]["elapsedSeconds"]!,
                (long)second[i]["read"]!, Calls(second[i]), Writes(second[i]), (double)second[i]["elapsedSeconds"]!, Calls(idle), Writes(idle)));
        }

        return rows;
    }

    private static long Calls(JsonObject summary) => summary["apiCalls"]!.AsObject().Sum(c => (long)c.Value!);

    private static long Writes(JsonObject summary) => (long)summary["created"]! + (long)summary["updated"]!;

    /// <summary>Kills the CLI with SIGKILL mid-run and measures restart → the first upsert HubSpot receives after it.</summary>
    public async Task<TimeSpan> ResumeAfterKillAsync(int contacts)
    {
        var data = Scenario();
        await using var sandbox = await StartSandboxAsync(Scenario(), contacts, 150, 200);
        var store = new SqliteStateStore(Path.Combine(data, "state.db"));
        var hub = "bench" + Guid.NewGuid().ToString("N")[..12];
        var first = StartCli(data, sandbox, hub);
        while ((await store.ListRunsAsync(1)).FirstOrDefault() is not { Counters.Read: >= 1_000 })
        {
            if (first.HasExited)
            {
                throw new InvalidOperationException("The CLI ended before the kill: " + await first.StandardError.ReadToEndAsync());
            }

            await Task.Delay(20);
        }

        first.Kill();
        await first.WaitForExitAsync();
        var before = await sandbox.UpsertsAsync();
        var restart = Stopwatch.StartNew();
        var second = StartCli(data, sandbox, hub);
        while (await sandbox.UpsertsAsync() == before)
        {
            await Task.Delay(10);
        }

        var elapsed = restart.Elapsed;
        await second.WaitForExitAsync();
        return elapsed;
    }

    /// <summary>The same pipeline without the durable engine: the page syncer called in a loop.</summary>
    private static async Task<TimeSpan> PlainLoopAsync(string data, SandboxProcess sandbox)
    {
        var store = new SqliteStateStore(Path.Combine(data, "state.db"));
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSyncPipeline(store,
            new IvvyClientOptions { BaseUrl = sandbox.IvvyUrl, ApiKey = "sandbox-key", ApiSecret = "sandbox-secret" },
            new HubSpotClientOptions { BaseUrl = sandbox.HubSpotUrl, AccessToken = "pat-sandbox-token" });
        await using var provider = services.BuildServiceProvider();
        var syncer = provider.GetRequiredService<StreamSyncer>();
        var workflow = WorkflowCatalog.Open(Workflows).Load("contacts", 1);
        var started = Stopwatch.StartNew();
        await store.CreateRunAsync(new RunRecord
        {
            RunId = "plain", Module = "contacts", Version = workflow.Definition.Version, ContentHash = workflow.ContentHash,
            PinnedDefinition = PinnedWorkflow.Pin(workflow), StartedAt = DateTimeOffset.UtcNow,
        });
        var run = await store.ClaimRunAsync("plain");
        while (!(await syncer.RunAsync(new SyncPagesRequest(run.RunId, run.Owner!, 0))).StreamDone)
        {
        }

        return started.Elapsed;
    }

    /// <summary>Rows of the orchestration's history in Azure Storage when it ended: bounded by ContinueAsNew, not by records.</summary>
    private async Task<int> HistoryRowsAsync(string hub, string instanceId)
    {
        var table = new Azure.Data.Tables.TableClient(_storage, hub + "History");
        var rows = 0;
        await foreach (var _ in table.QueryAsync<Azure.Data.Tables.TableEntity>($"PartitionKey eq '{instanceId}'", select: ["RowKey"]))
        {
            rows++;
        }

        return rows;
    }

    private async Task<JsonObject> RunCliAsync(string data, SandboxProcess sandbox, string hub, string[]? arguments = null)
    {
        var cli = StartCli(data, sandbox, hub, arguments);
        var stdout = await cli.StandardOutput.ReadToEndAsync();
        var stderr = await cli.StandardError.ReadToEndAsync();
        await cli.WaitForExitAsync();
        return cli.ExitCode == 0
            ? JsonNode.Parse(stdout)!.AsObject()
            : throw new InvalidOperationException($"The CLI failed ({cli.ExitCode}): {stderr}{stdout}");
    }

    // By default the spine the targets are about: contacts v1, one way (v3, two-way, is the default module).
    private Process StartCli(string data, SandboxProcess sandbox, string hub, string[]? arguments = null) =>
        Start(data, arguments ?? ["run", "contacts", "--definition-version", "1", "--json"], new()
    {
        ["DataDirectory"] = data,
        ["WorkflowsDirectory"] = Workflows,
        ["Engine__TaskHubName"] = hub,
        ["Engine__StorageConnectionString"] = _storage,
        ["Ivvy__BaseUrl"] = sandbox.IvvyUrl.ToString(),
        ["Ivvy__ApiKey"] = "sandbox-key",
        ["Ivvy__ApiSecret"] = "sandbox-secret",
        ["HubSpot__BaseUrl"] = sandbox.HubSpotUrl.ToString(),
        ["HubSpot__AccessToken"] = "pat-sandbox-token",
    });

    private async Task<SandboxProcess> StartSandboxAsync(string data, int contacts, int ivvyLatencyMs, int hubSpotLatencyMs)
    {
        var (ivvyPort, hubSpotPort) = (FreePort(), FreePort());
        var process = Start(data, ["sandbox", "--seed-count", contacts.ToString(CultureInfo.InvariantCulture)], new()
        {
            ["DataDirectory"] = data,
            ["Sandbox__IvvyPort"] = ivvyPort.ToString(CultureInfo.InvariantCulture),
            ["Sandbox__HubSpotPort"] = hubSpotPort.ToString(CultureInfo.InvariantCulture),
            ["Sandbox__Ivvy__DuplicateIdentityRate"] = "0",
            // Benchmarks measure our throughput, not HubSpot's rate limit.
            ["Sandbox__HubSpot__TenSecondlyLimit"] = "0",
        });
        var sandbox = new SandboxProcess(process, new Uri($"http://127.0.0.1:{ivvyPort}/"), new Uri($"http://127.0.0.1:{hubSpotPort}/"));
        await sandbox.WaitReadyAsync();
        await sandbox.SetLatencyAsync(ivvyLatencyMs, hubSpotLatencyMs);
        return sandbox;
    }

    private Process Start(string workingDirectory, string[] arguments, Dictionary<string, string> environment)
    {
        Directory.CreateDirectory(workingDirectory);
        var start = new ProcessStartInfo("dotnet", [Cli, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        _children.Add(process);
        return process;
    }

    private string Scenario() => Path.Combine(root, (++_scenario).ToString(CultureInfo.InvariantCulture));

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindWorkflows()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "workflows", "published.json")))
            {
                return Path.Combine(dir.FullName, "workflows");
            }
        }

        throw new DirectoryNotFoundException("workflows/ not found");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var child in _children.Where(c => !c.HasExited))
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }

        await _azurite.StopAsync();

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A sandbox running as its own process, driven through its control API.</summary>
internal sealed class SandboxProcess(Process process, Uri ivvyUrl, Uri hubSpotUrl) : IAsyncDisposable
{
    private readonly HttpClient _http = new();

    public Uri IvvyUrl => ivvyUrl;

    public Uri HubSpotUrl => hubSpotUrl;

    public async Task WaitReadyAsync()
    {
        for (var i = 0; i < 1200; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("The sandbox ended: " + await process.StandardError.ReadToEndAsync());
            }

            try
            {
                using var response = await _http.GetAsync(new Uri(hubSpotUrl, "__sandbox__/calls"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The sandbox did not start.");
    }

    public async Task SetLatencyAsync(int ivvyMs, int hubSpotMs)
    {
        (await _http.PutAsJsonAsync(new Uri(ivvyUrl, "__sandbox__/latency"), new { ms = ivvyMs })).EnsureSuccessStatusCode();
        (await _http.PutAsJsonAsync(new Uri(hubSpotUrl, "__sandbox__/latency"), new { ms = hubSpotMs })).EnsureSuccessStatusCode();
    }

    /// <summary>Batch upserts HubSpot has received so far.</summary>
    public async Task<long> UpsertsAsync()
    {
        var calls = (await _http.GetFromJsonAsync<Dictionary<string, long>>(new Uri(hubSpotUrl, "__sandbox__/calls")))!;
        return calls.Where(c => c.Key.Contains("batch/upsert", StringComparison.Ordinal)).Sum(c => c.Value);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
