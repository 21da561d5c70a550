using IvvyWorkflows.Designer.Api;
using IvvyWorkflows.Designer.Data;
using IvvyWorkflows.Designer.Scheduling;
using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Workflows.Definitions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Designer.Tests;

/// <summary>Schedules on a fake clock over a real state store: missed ticks run once, a tick during a run is skipped and
/// said so, due modules come in dependency order, and all of it survives a restart.</summary>
public sealed class ScheduleTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ivvy-schedules-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 9, 1, 0, TimeSpan.Zero));

    [Fact]
    public void Due_AfterDowntimeOfManyTicks_EachModuleDueOnce()
    {
        var schedules = Schedules(["contacts", "companies"]);
        Assert.Empty(schedules.Due(_time.GetUtcNow(), NotBusy));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 9, 15, 0, TimeSpan.Zero), schedules.Info("contacts")!.NextDueAt);

        // Down for two hours (eight ticks missed), then started again: a new instance over the same store.
        _time.Advance(TimeSpan.FromHours(2));
        var restarted = Schedules(["contacts", "companies"]);
        Assert.Equal(["contacts", "companies"], restarted.Due(_time.GetUtcNow(), NotBusy));
        restarted.Started("contacts", "run-1");
        restarted.Started("companies", "run-2");

        Assert.Empty(restarted.Due(_time.GetUtcNow(), NotBusy));
        var info = restarted.Info("contacts")!;
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 11, 15, 0, TimeSpan.Zero), info.NextDueAt);
        Assert.Equal("run-1", info.LastRunId);
    }

    [Fact]
    public void Due_NotStartedBeforeACrash_IsDueAgainAfterRestart()
    {
        Assert.Empty(Schedules(["contacts"]).Due(_time.GetUtcNow(), NotBusy));
        _time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(["contacts"], Schedules(["contacts"]).Due(_time.GetUtcNow(), NotBusy));
        // Killed before the run started: the tick is not lost.
        Assert.Equal(["contacts"], Schedules(["contacts"]).Due(_time.GetUtcNow(), NotBusy));
    }

    [Fact]
    public void Due_WhileARunGoes_TickSkippedAndSaid()
    {
        var schedules = Schedules(["contacts"]);
        Assert.Empty(schedules.Due(_time.GetUtcNow(), NotBusy));
        _time.Advance(TimeSpan.FromMinutes(15));

        Assert.Empty(schedules.Due(_time.GetUtcNow(), m => $"run r1 of {m} is still going"));
        var info = schedules.Info("contacts")!;
        Assert.Equal("run r1 of contacts is still going", info.LastSkipReason);
        Assert.Equal(_time.GetUtcNow(), info.LastSkippedAt);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 9, 30, 0, TimeSpan.Zero), info.NextDueAt);
    }

    [Fact]
    public void Due_ModuleAndItsDependency_DependencyFirst()
    {
        var schedules = Schedules(["contact-emails", "contacts"]);
        Assert.Empty(schedules.Due(_time.GetUtcNow(), NotBusy));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(["contacts", "contact-emails"], schedules.Due(_time.GetUtcNow(), NotBusy));
    }

    [Fact]
    public void Change_OperatorScheduleAndPause_NextDueFollowsAndSurvivesRestart()
    {
        var schedules = Schedules(["contacts"]);
        var info = schedules.Change("contacts", new ScheduleChange("1h", Paused: false));
        Assert.Equal("operator", info.Source);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromHours(1), info.NextDueAt);

        schedules.Change("contacts", new ScheduleChange("1h", Paused: true));
        _time.Advance(TimeSpan.FromHours(3));
        var restarted = Schedules(["contacts"]);
        Assert.Empty(restarted.Due(_time.GetUtcNow(), NotBusy));
        Assert.True(restarted.Info("contacts")!.Paused);

        Assert.Throws<FormatException>(() => restarted.Change("contacts", new ScheduleChange("every tuesday", Paused: false)));
    }

    [Theory]
    [InlineData("*/5 * * * *", "2026-03-02T09:05:00Z")]
    [InlineData("0 */10 * * * *", "2026-03-02T09:10:00Z")]
    [InlineData("00:30:00", "2026-03-02T09:31:00Z")]
    [InlineData("90s", "2026-03-02T09:02:30Z")]
    public void Parse_CronOrInterval_NextDue(string expression, string next) =>
        Assert.Equal(DateTimeOffset.Parse(next, System.Globalization.CultureInfo.InvariantCulture), Schedule.Parse(expression, "x").Next(_time.GetUtcNow()));

    [Fact]
    public void Options_BadExpression_RefusedNamingTheSetting()
    {
        var options = new ScheduleOptions { Modules = { ["contacts"] = "every 15 minutes" } };
        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();
        var error = Assert.Single(errors);
        Assert.Contains("Schedules:Modules:contacts", error.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(["Schedules:Modules:contacts"], error.MemberNames);
    }

    [Fact]
    public async Task Serve_BadScheduleSetting_RefusesToStartNamingIt()
    {
        await using var app = DesignerApp.Build(
        [
            "--urls", "http://127.0.0.1:0", $"--DataDirectory={_directory}", $"--WorkflowsDirectory={Path.Combine(ServiceHost.Root, "workflows")}",
            "--Schedules:Modules:companies=*/61 * * *",
        ]);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("Schedules:Modules:companies", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static string? NotBusy(string module) => null;

    private ModuleSchedules Schedules(List<string> enabled) =>
        new(new ServiceStore(Path.Combine(_directory, "state.db")),
            new ServedModules(WorkflowCatalog.Open(Path.Combine(ServiceHost.Root, "workflows")), Options.Create(new IvvyWorkflowsSettings { DataDirectory = _directory, EnabledModules = enabled })),
            Options.Create(new ScheduleOptions()), _time, NullLogger<ModuleSchedules>.Instance);
}
