using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Workflows;

namespace IvvyWorkflows.Cli.Commands;

/// <summary>The process exit codes README's "Exit codes" lists, and which outcome or exception gives which.</summary>
public static class ExitCodes
{
    public const int Done = 0;
    public const int Failed = 1;
    public const int BadInput = 2;
    /// <summary>Every run read its whole window, but at least one quarantined records (they wait for `replay`).</summary>
    public const int CompletedWithErrors = 3;

    /// <summary>The exit code of runs that ended: the worst of them.</summary>
    public static int Of(IEnumerable<RunStatus> statuses)
    {
        var all = statuses.ToList();
        return all.Any(s => !s.IsComplete()) ? Failed
            : all.Contains(RunStatus.CompletedWithErrors) ? CompletedWithErrors
            : Done;
    }

    /// <summary>How a command that threw ends: bad input (a definition, setting, run id, credentials or storage the user
    /// can fix) is exit 2 with its message; anything else is a fault of the program, exit 1 as an internal error with
    /// its details, so a bug never reads as the user's mistake.</summary>
    public static (int ExitCode, string Message) Of(Exception exception) => exception switch
    {
        BadInputException or Microsoft.Extensions.Options.OptionsValidationException or System.ComponentModel.DataAnnotations.ValidationException
            or Engine.DurableEngineStartException or ConnectorException { Kind: FailureKind.Config } => (BadInput, exception.Message),
        // The run itself failed (its storage went away mid-run): its message says how to bring it back.
        Engine.DurableEngineStorageLostException => (Failed, exception.Message),
        _ => (Failed, $"internal error (a fault of ivvy-workflows, not of your input; please report it): {exception}"),
    };
}
