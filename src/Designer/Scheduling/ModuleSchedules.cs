using IvvyWorkflows.Designer.Api;
using IvvyWorkflows.Designer.Data;
using Microsoft.Extensions.Options;

namespace IvvyWorkflows.Designer.Scheduling;

/// <summary>
/// When each enabled module is due, kept in the state store so it survives a restart: a module whose due time passed
/// while the service was down is due once (missed ticks are not made up), and a due time only moves on when its run
/// has started or the tick was skipped, so a crash between the two loses nothing.
/// </summary>
public sealed partial class ModuleSchedules(ServiceStore store, ServedModules served, IOptions<ScheduleOptions> options,
    TimeProvider time, ILogger<ModuleSchedules> log)
{
    private readonly Lock _lock = new();

    /// <summary>The enabled modules, each after those it depends on: the order due modules run in.</summary>
    public IReadOnlyList<string> Modules => served.Enabled;

    /// <summary>The modules due at <paramref name="now"/>, in dependency order; <paramref name="busy"/> says why a module
    /// cannot start now (a run of it is going), and such a tick is skipped and recorded as skipped.</summary>
    public IReadOnlyList<string> Due(DateTimeOffset now, Func<string, string?> busy)
    {
        var due = new List<string>();
        lock (_lock)
        {
            foreach (var module in Modules)
            {
                var (schedule, state) = Current(module, now);
                if (state.Disabled || now < state.NextDueAt)
                {
                    continue;
                }

                if (busy(module) is { } reason)
                {
                    TickSkipped(log, module, state.NextDueAt, reason);
                    store.SaveSchedule(state with { LastDueAt = state.NextDueAt, NextDueAt = schedule.Next(now), LastSkippedAt = now, LastSkipReason = reason });
                    continue;
                }

                due.Add(module);
            }
        }

        return due;
    }

    /// <summary>A due module's run has started: its due time moves on to the next one after now.</summary>
    public void Started(string module, string runId) => Advance(module, s => s with { LastRunId = runId });

    /// <summary>A due module could not start after all (a run of it had started meanwhile).</summary>
    public void Skipped(string module, string reason)
    {
        TickSkipped(log, module, null, reason);
        Advance(module, s => s with { LastSkippedAt = time.GetUtcNow(), LastSkipReason = reason });
    }

    /// <summary>The earliest due time of an enabled module (when the scheduler next has something to do).</summary>
    public DateTimeOffset? NextDue()
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            return Modules.Select(m => Current(m, now).State).Where(s => !s.Disabled).Select(s => (DateTimeOffset?)s.NextDueAt).Min();
        }
    }

    /// <summary>A module's schedule as the console shows it; null when the module is not enabled.</summary>
    public ScheduleInfo? Info(string module)
    {
        if (!Modules.Contains(module))
        {
            return null;
        }

        lock (_lock)
        {
            var (_, state) = Current(module, time.GetUtcNow());
            return new ScheduleInfo(state.Expression, state.OverrideExpression is null ? "settings" : "operator", state.Disabled,
                state.Disabled ? null : state.NextDueAt, state.LastDueAt, state.LastRunId, state.LastSkippedAt, state.LastSkipReason);
        }
    }

    /// <summary>An operator's schedule for a module (null expression: back to the settings'), or a pause.</summary>
    /// <exception cref="FormatException">The expression is not a schedule.</exception>
    public ScheduleInfo Change(string module, ScheduleChange change)
    {
        if (change.Expression is { } expression)
        {
            Schedule.Parse(expression, "expression");
        }

        lock (_lock)
        {
            var (_, state) = Current(module, time.GetUtcNow());
            store.SaveSchedule(state with { OverrideExpression = change.Expression?.Trim(), Disabled = change.Paused });
        }

        return Info(module)!;
    }

    private void Advance(string module, Func<ScheduleState, ScheduleState> change)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var (schedule, state) = Current(module, now);
            store.SaveSchedule(change(state with { LastDueAt = state.NextDueAt, NextDueAt = schedule.Next(now) }));
        }
    }

    /// <summary>The schedule in force and the stored state, made consistent: a module seen for the first time, or whose
    /// expression changed, is next due at the expression's next time after now.</summary>
    private (Schedule Schedule, ScheduleState State) Current(string module, DateTimeOffset now)
    {
        var stored = store.ListSchedules().FirstOrDefault(s => s.Module == module);
        var schedule = stored?.OverrideExpression is { } custom ? Schedule.Parse(custom, $"schedule of {module} set from the console") : options.Value.For(module);
        var state = stored ?? new ScheduleState(module, schedule.Expression, schedule.Next(now), null, null, null, null, null, false);
        if (state.Expression != schedule.Expression)
        {
            state = state with { Expression = schedule.Expression, NextDueAt = schedule.Next(now) };
            store.SaveSchedule(state);
        }
        else if (stored is null)
        {
            store.SaveSchedule(state);
        }

        return (schedule, state);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule of {Module}: the tick due at {Due} is skipped: {Reason}.")]
    private static partial void TickSkipped(ILogger logger, string module, DateTimeOffset? due, string reason);
}
