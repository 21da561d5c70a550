using Spectre.Console;
using System.Diagnostics;
using System.Text.Json;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Activities.Sync;
using IvvyWorkflows.Cli.Output;
using IvvyWorkflows.Engine.Runs;
using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Workflows;
using IvvyWorkflows.Workflows.Definitions;
using Microsoft.Extensions.Hosting;

namespace IvvyWorkflows.Cli.Commands;

/// <summary>run, resume, terminate, status and quarantine.</summary>
public static class RunCommands
{
    public static Task<int> RunAsync(string? module, bool all, bool dryRun, int? version, bool json, bool verbose, CancellationToken cancellationToken,
        (int Number, int Size) planPage = default) =>
        Guard(json, async (host, view) =>
        {
            var page = planPage == default ? new PageRequest() : PageRequest.Of(planPage.Number, planPage.Size);
            var settings = host.Settings();
            var catalog = WorkflowCatalog.Open(settings.ResolveWorkflowsDirectory());
            if (module is null == !all)
            {
                view.Error($"name one module (known: {string.Join(", ", catalog.Modules())}) or --all");
                return ExitCodes.BadInput;
            }

            // Every definition is loaded and checked before anything is called: a bad one is refused with its paths.
            var workflows = (all ? CheckedDefinitions.EnabledModules(catalog, settings) : [module!])
                .Select(m => CheckedDefinitions.LoadChecked(catalog, m, all ? null : version))
                .ToList();
            using var locks = new ModuleLocks(settings.DataDirectory, view);
            workflows = workflows.Where(w => locks.TryTake(w.Definition.Id)).ToList();
            if (workflows.Count == 0)
            {
                return 0;
            }

            await using var env = await SyncEnvironment.StartAsync(host.Configuration(), host.Loggers(), cancellationToken);
            var summaries = new List<RunSummary>();
            foreach (var workflow in workflows)
            {
                var started = Stopwatch.StartNew();
                var run = await env.Runs.StartAsync(workflow, dryRun, cancellationToken: cancellationToken);
                if (run.Attempt > 1)
                {
                    view.Info($"Resuming unfinished run {run.RunId} ({run.Module} v{run.Version}) from its last committed page.");
                }

                summaries.Add(await WatchAsync(env, view, run, started, cancellationToken, page));
            }

            if (json)
            {
                Console.Out.WriteLine(summaries.Count == 1 ? summaries[0].ToJson() : $"{{\"runs\":[{string.Join(',', summaries.Select(s => s.ToJson()))}]}}");
            }

            return ExitCodes.Of(summaries.Select(s => Enum.Parse<RunStatus>(s.Status)));
        }, verbose, cancellationToken);

    public static Task<int> ResumeAsync(string runId, bool json, bool verbose, CancellationToken cancellationToken) =>
        Guard(json, async (host, view) =>
        {
            using var locks = new ModuleLocks(host.Settings().DataDirectory, view);
            if (await new SqliteStateStore(host.Settings().StateStorePath).GetRunAsync(runId) is { } known && !locks.TryTake(known.Module))
            {
                return 0;
            }

            await using var env = await SyncEnvironment.StartAsync(host.Configuration(), host.Loggers(), cancellationToken);
            var started = Stopwatch.StartNew();
            var run = await env.Runs.ResumeAsync(runId, cancellationToken);
            var summary = await WatchAsync(env, view, run, started, cancellationToken);
            if (json)
            {
                Console.Out.WriteLine(summary.ToJson());
            }

            return ExitCodes.Of([Enum.Parse<RunStatus>(summary.Status)]);
        }, verbose, cancellationToken);

    public static Task<int> ReplayAsync(string module, bool json, bool verbose, CancellationToken cancellationToken) =>
        Guard(json, async (host, view) =>
        {
            var catalog = WorkflowCatalog.Open(host.Settings().ResolveWorkflowsDirectory());
            var workflow = CheckedDefinitions.LoadChecked(catalog, module, null);
            using var locks = new ModuleLocks(host.Settings().DataDirectory, view);
            if (!locks.TryTake(module))
            {
                return 0;
            }

            await using var env = await SyncEnvironment.StartAsync(host.Configuration(), host.Loggers(), cancellationToken);
            var started = Stopwatch.StartNew();
            var run = await env.Runs.StartAsync(workflow, dryRun: false, replay: true, cancellationToken);
            var summary = await WatchAsync(env, view, run, started, cancellationToken);
            if (json)
            {
                Console.Out.WriteLine(summary.ToJson());
            }

            return ExitCodes.Of([Enum.Parse<RunStatus>(summary.Status)]);
        }, verbose, cancellationToken);

    public static Task<int> TerminateAsync(string runId, bool verbose, CancellationToken cancellationToken) =>
        Guard(false, async (host, view) =>
        {
            await using var env = await SyncEnvironment.StartAsync(host.Configuration(), host.Loggers(), cancellationToken);
            await env.Runs.TerminateAsync(runId, cancellationToken);
            view.Info($"Run {runId} terminated; its committed pages stay, and `ivvy-workflows resume {runId}` continues it.");
            return 0;
        }, verbose, cancellationToken);

    public static Task<int> StatusAsync(string? runId, bool json, bool verbose, CancellationToken cancellationToken) =>
        Guard(json, async (host, view) =>
        {
            var store = new SqliteStateStore(host.Settings().StateStorePath);
            var runs = runId is null ? await store.ListRunsAsync() : [await store.GetRunAsync(runId) ?? throw new BadInputException($"There is no run '{runId}' (see `ivvy-workflows status`).")];
            var summaries = runs.Select(r => RunSummary.From(r, (r.FinishedAt ?? DateTimeOffset.UtcNow) - r.StartedAt)).ToList();
            if (json)
            {
                Console.Out.WriteLine(runId is null ? $"{{\"runs\":[{string.Join(',', summaries.Select(s => s.ToJson()))}]}}" : summaries[0].ToJson());
            }
            else if (runId is not null)
            {
                view.Summary(summaries[0]);
            }
            else
            {
                var table = new Table().AddColumns("run", "module", "status", "read", "created", "updated", "quarantined", "started");
                foreach (var s in summaries)
                {
                    table.AddRow(s.RunId, $"{s.Module} v{s.Version}{(s.DryRun ? " (dry)" : "")}", s.Status, s.Read.ToString("N0"), s.Created.ToString("N0"),
                        s.Updated.ToString("N0"), s.Quarantined.ToString("N0"), runs.First(r => r.RunId == s.RunId).StartedAt.ToString("u"));
                }

                view.Console.Write(table);
            }

            return 0;
        }, verbose, cancellationToken);

    public static Task<int> QuarantineAsync(string? module, bool json, bool verbose, CancellationToken cancellationToken, (int Number, int Size) page = default) =>
        Guard(json, async (host, view) =>
        {
            var request = page == default ? new PageRequest() : PageRequest.Of(page.Number, page.Size);
            var entries = await new SqliteStateStore(host.Settings().StateStorePath).PageQuarantineAsync(module, request);
            if (json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new { quarantined = entries.Items, total = entries.Total, page = request.Number, pageSize = request.Size },
                    new JsonSerializerOptions(JsonSerializerDefaults.Web)));
                return 0;
            }

            var table = new Table().AddColumns("module", "stream", "record", "stage", "attempts", "reason");
            foreach (var e in entries.Items)
            {
                table.AddRow(Markup.Escape(e.Module), Markup.Escape(e.Stream), Markup.Escape(e.SourceId),
                    e.Stage, e.Attempts.ToString(), Markup.Escape(e.Reason));
            }

            view.Console.Write(table);
            view.PageLine(entries);
            return 0;
        }, verbose, cancellationToken);

    private static async Task<RunSummary> WatchAsync(SyncEnvironment env, ConsoleView view, RunRecord run, Stopwatch started, CancellationToken cancellationToken,
        PageRequest? planPage = null)
    {
        using var span = ApiCallMeter.Tracing.StartActivity("sync.run");
        span?.SetTag("run.id", run.RunId);
        span?.SetTag("module", run.Module);
        span?.SetTag("definition.version", run.Version);
        var final = await view.ProgressAsync($"{run.Module} v{run.Version}{(run.DryRun ? " (dry run)" : "")}",
            progress => env.Runs.WaitAsync(run.RunId, progress, cancellationToken),
            current => RunProgressEstimate.TotalAsync(env.Store, current));
        span?.SetTag("run.status", final.Status.ToString());
        span?.SetTag("records.read", final.Counters.Read);
        var plan = final.DryRun ? await env.Store.PagePlanAsync(final.RunId, planPage ?? new PageRequest()) : null;
        var summary = RunSummary.From(final, started.Elapsed, plan);
        view.Summary(summary);
        return summary;
    }

    /// <summary>The modules this process runs, each locked in the data directory so a second process does not run it
    /// too: that one says the run is already going and leaves it alone.</summary>
    private sealed class ModuleLocks(string dataDirectory, ConsoleView view) : IDisposable
    {
        private readonly List<ModuleRunLock> _held = [];

        public bool TryTake(string module)
        {
            if (ModuleRunLock.TryAcquire(dataDirectory, module) is { } taken)
            {
                _held.Add(taken);
                return true;
            }

            view.Info($"A run of {module} is already going in {Path.GetFullPath(dataDirectory)} (another ivvy-workflows process); " +
                "it carries on there. `ivvy-workflows status` follows it.");
            return false;
        }

        public void Dispose() => _held.ForEach(l => l.Dispose());
    }

    /// <summary>Runs a command inside the host, turning the errors users can fix into one clear line and an exit code.</summary>
    private static async Task<int> Guard(bool json, Func<IHost, ConsoleView, Task<int>> command, bool verbose, CancellationToken cancellationToken)
    {
        var view = new ConsoleView(json);
        try
        {
            using var host = await CliHost.StartAsync(verbose, cancellationToken);
            return await command(host, view);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            view.Error("Stopped. The run keeps its committed pages: `ivvy-workflows run <module>` or `resume <run-id>` continues it.");
            return StopSignals.ExitCode;
        }
        catch (Exception e)
        {
            var (exitCode, message) = ExitCodes.Of(e);
            view.Error(message);
            return exitCode;
        }
    }
}
