using System.Text.Json;
using IvvyWorkflows.Activities.State;

namespace IvvyWorkflows.Designer.Api;

/// <summary>One page of a list: the items, where it is, and how many there are in all (every list is paged here).</summary>
/// <param name="Total">How many match; counted on the first page of a list read by key (runs, quarantine), null on the
/// pages after it (the first page's count holds).</param>
/// <param name="Next">For a list read by key: the <c>after</c> of the next page; null on the last page (and on lists paged by number).</param>
public sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, long? Total, string? Next = null);

/// <summary>The API's paging of the state store's <see cref="PageRequest"/>: 1-based, at most <see cref="MaxSize"/> items.</summary>
public static class ApiPaging
{
    public const int DefaultSize = 50;
    public const int MaxSize = 500;

    public static PageRequest From(int? page, int? pageSize, string? after = null) =>
        new(Math.Max(1, page ?? 1), Math.Clamp(pageSize ?? DefaultSize, 1, MaxSize), string.IsNullOrEmpty(after) ? null : after);
}

public sealed record RunFilter(string? Module, string? Status, bool? DryRun, DateTimeOffset? From, DateTimeOffset? To);

public sealed record QuarantineFilter(string? Module, string? Stream, string? Stage, string? Reason);

/// <summary>A module as the modules page shows it.</summary>
/// <param name="Version">The definition version a run started now would pin (the newest published).</param>
/// <param name="Running">The module's run in progress, if any.</param>
public sealed record ModuleInfo(string Id, string Title, bool Enabled, int Version, string ContentHash, IReadOnlyList<string> DependsOn,
    ScheduleInfo? Schedule, RunListItem? LastRun, RunListItem? Running);

/// <summary>A module's schedule: the expression in force, where it came from, when it is next due, and the last tick skipped.</summary>
/// <param name="Source">"settings" (Schedules:Modules or Schedules:Default) or "operator" (set from the console).</param>
public sealed record ScheduleInfo(string Expression, string Source, bool Paused, DateTimeOffset? NextDueAt, DateTimeOffset? LastDueAt, string? LastRunId,
    DateTimeOffset? LastSkippedAt, string? LastSkipReason);

/// <summary>Set or clear an operator's schedule for a module; <c>Expression</c> null goes back to the settings'.</summary>
public sealed record ScheduleChange(string? Expression, bool Paused);

public sealed record RunListItem(string RunId, string Module, int Version, bool DryRun, bool Replay, string Status, DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt, RunCounters Counters, string? Error);

/// <summary>A run in full: counters, API calls by endpoint, progress, where each stream stands, and the failure.</summary>
public sealed record RunDetail(string RunId, string Module, int Version, string ContentHash, bool DryRun, bool Replay, string Status, int Attempt,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, RunCounters Counters, IReadOnlyDictionary<string, long> ApiCalls,
    RunProgress Progress, IReadOnlyList<StreamPosition> Streams, RunFailure? Failure, IReadOnlyList<string> Actions);

/// <summary>Where a stream's read stands: its cursor as last committed (offset into the window and the window's size when
/// known), and what this run committed for the stream (read, created, updated, unchanged, quarantined).</summary>
public sealed record StreamPosition(string Stream, bool Started, bool Complete, long? Offset, long? Total, RunCounters Counters);

/// <summary>Why a run failed, as the remote or the pipeline said it, and what an operator can do.</summary>
/// <param name="Stage">Where it stopped: "fetch", "map", "upsert", or "run" (retries used up, the orchestration); null for a
/// run that failed before stages were recorded.</param>
/// <param name="ErrorClass">The class of the error: the connectors' failure kind ("Config", "System", ...), "Template", or an exception type.</param>
public sealed record RunFailure(string Message, string? Stage, string? ErrorClass, string Advice);

/// <summary>Progress of a run as it commits pages: the same figures the command's progress bar shows.</summary>
/// <param name="Total">Read so far plus what the open windows still hold; null until a window says its size.</param>
public sealed record RunProgress(string RunId, string Status, RunCounters Counters, long? Total, double? Percent, double RecordsPerSecond,
    double? EtaSeconds, DateTimeOffset At);

/// <summary>Start a run now; a dry run writes nothing and records a per-record plan.</summary>
public sealed record RunRequest(bool DryRun = false, int? DefinitionVersion = null);

public sealed record PlanItem(string Stream, string SourceId, string Action, string Reason);

public sealed record QuarantineListItem(string Module, string Stream, string SourceId, string Stage, string Reason, int Attempts, string RunId,
    DateTimeOffset LastSeen);

public sealed record QuarantineDetail(string Module, string Stream, string SourceId, string Stage, string Reason, JsonElement Payload, int Attempts,
    string RunId, DateTimeOffset LastSeen);

public sealed record FacetCount(string Value, long Count);

public sealed record QuarantineFacets(IReadOnlyList<FacetCount> Modules, IReadOnlyList<FacetCount> Stages, IReadOnlyList<FacetCount> Reasons);

/// <summary>Replay a module's quarantined records: all of them (<c>Records</c> null or empty), or the ones named.</summary>
public sealed record ReplayRequest(string Module, IReadOnlyList<QuarantineKey>? Records);

public sealed record QuarantineKey(string Stream, string SourceId);

public sealed record ConflictItem(string Module, string IvvyId, string CrmId, JsonElement IvvyValue, JsonElement CrmValue, string Winner, string Policy,
    string RunId, DateTimeOffset At);

public sealed record SignInRequest(string UserName, string Password);

/// <summary>Who is signed in; <c>AntiforgeryToken</c> goes in the <c>X-XSRF-TOKEN</c> header of every POST, PUT and DELETE.</summary>
public sealed record Session(string UserName, string Role, bool MustChangePassword, string AuthenticationType, string? AntiforgeryToken);

public sealed record ChangePasswordRequest(string CurrentPassword, string NewPassword);

/// <summary>How the console may sign in: local accounts always, OpenID Connect when configured.</summary>
public sealed record SignInOptions(bool LocalAccounts, bool OpenIdConnect, string? OpenIdConnectUrl);

public sealed record ApiKeyRequest(string Name, string Role);

/// <summary>An API key as listed (never its secret).</summary>
public sealed record ApiKeyInfo(string Id, string Name, string Role, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>A new API key: <c>Key</c> is shown this once and kept only hashed; send it as the <c>X-Api-Key</c> header.</summary>
public sealed record ApiKeyCreated(string Id, string Name, string Role, string Key);

/// <summary>The error body of every 4xx: what went wrong, in a sentence an operator can act on.</summary>
public sealed record ApiError(string Message);
