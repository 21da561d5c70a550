using IvvyWorkflows.Activities.State;
using Spectre.Console;

namespace IvvyWorkflows.Cli.Output;

/// <summary>What people see: a progress bar while a run moves, a summary at its end. Writes to stderr when stdout carries JSON.</summary>
public sealed class ConsoleView(bool json)
{
    private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(json ? System.Console.Error : System.Console.Out),
    });

    public IAnsiConsole Console => _console;

    /// <summary>Watches <paramref name="watch"/> (which reports each committed state) with a progress bar, or with a
    /// line every few seconds when the output is not a terminal.</summary>
    public async Task<RunRecord> ProgressAsync(string label, Func<Func<RunRecord, Task>, Task<RunRecord>> watch, Func<RunRecord, Task<long?>> measureTotal)
    {
        if (!_console.Profile.Capabilities.Interactive)
        {
            var last = DateTime.UtcNow;
            return await watch(async run =>
            {
                if ((DateTime.UtcNow - last).TotalSeconds >= 2)
                {
                    last = DateTime.UtcNow;
                    var (done, total) = (run.Counters.Read, await measureTotal(run));
                    _console.MarkupLineInterpolated($"[grey]{label}: {done}{(total is null ? "" : $"/{total}")} read, {run.Counters.Created} created, {run.Counters.Updated} updated, {run.Counters.Quarantined} quarantined[/]");
                }
            });
        }

        RunRecord? result = null;
        await _console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(label), maxValue: 1);
                result = await watch(async run =>
                {
                    var (done, total) = (run.Counters.Read, await measureTotal(run));
                    task.MaxValue = Math.Max(1, total ?? done);
                    task.Value = done;
                    task.Description = Markup.Escape($"{label}  {done}{(total is null ? "" : $"/{total}")}  +{run.Counters.Created} ~{run.Counters.Updated} !{run.Counters.Quarantined}");
                });
                task.Value = task.MaxValue;
            });
        return result!;
    }

    public void Summary(RunSummary summary)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"{summary.Module} v{summary.Version}{(summary.DryRun ? " (dry run: nothing written)" : "")} — {summary.Status}"));
        table.AddColumn("");
        table.AddColumn(new TableColumn("").RightAligned());
        table.AddRow("run", Markup.Escape(summary.RunId));
        table.AddRow("read", summary.Read.ToString("N0"));
        table.AddRow(summary.DryRun ? "would create" : "created", summary.Created.ToString("N0"));
        table.AddRow(summary.DryRun ? "would update" : "updated", summary.Updated.ToString("N0"));
        table.AddRow("unchanged", summary.Unchanged.ToString("N0"));
        table.AddRow("quarantined", summary.Quarantined.ToString("N0"));
        foreach (var (endpoint, calls) in summary.ApiCalls)
        {
            table.AddRow(Markup.Escape($"calls {endpoint}"), calls.ToString("N0"));
        }

        table.AddRow("elapsed", $"{summary.ElapsedSeconds:N1} s");
        table.AddRow("definition", Markup.Escape(summary.ContentHash));
        _console.Write(table);
        if (summary.Quarantined > 0 && !summary.DryRun)
        {
            _console.MarkupLineInterpolated($"[yellow]{summary.Quarantined} record(s) quarantined: `ivvy-workflows quarantine {summary.Module}` shows why; after a fix, `ivvy-workflows replay {summary.Module}` syncs them again.[/]");
        }

        if (summary.Error is not null)
        {
            _console.MarkupLineInterpolated($"[red]{summary.Error}[/]");
        }

        if (summary.Plan is { } plan)
        {
            foreach (var p in plan.Items)
            {
                _console.MarkupLineInterpolated($"  [grey]{p.Action,-10}[/] {p.Stream} {p.SourceId}  [grey]{p.Reason}[/]");
            }

            PageLine(plan);
        }
    }

    /// <summary>Says which part of a long list was shown, and how to see the next part.</summary>
    public void PageLine<T>(Page<T> page) =>
        _console.MarkupLineInterpolated($"[grey]{page.Describe()}{(page.HasMore ? $"; --page {page.Request.Number + 1} shows the next {page.Request.Size}" : "")}[/]");

    public void Error(string message) => _console.MarkupLineInterpolated($"[red]error:[/] {message}");

    public void Info(string message) => _console.MarkupLineInterpolated($"[grey]{message}[/]");
}
