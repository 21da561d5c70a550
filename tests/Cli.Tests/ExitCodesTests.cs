using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Cli.Commands;
using IvvyWorkflows.Workflows;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>Which outcome or exception ends the command with which exit code (README's "Exit codes").</summary>
public sealed class ExitCodesTests
{
    [Theory]
    [InlineData(new[] { RunStatus.Completed }, 0)]
    [InlineData(new[] { RunStatus.CompletedWithErrors }, 3)]
    [InlineData(new[] { RunStatus.Completed, RunStatus.CompletedWithErrors }, 3)]
    [InlineData(new[] { RunStatus.CompletedWithErrors, RunStatus.Failed }, 1)]
    [InlineData(new[] { RunStatus.Terminated }, 1)]
    public void Of_RunStatuses_IsTheWorst(RunStatus[] statuses, int expected) => Assert.Equal(expected, ExitCodes.Of(statuses));

    public static TheoryData<Exception> BadInput => new()
    {
        new BadInputException("There is no run 'x'."),
        new DefinitionException("d.json", [new DefinitionError("streams[0]", "bad")]),
        new System.ComponentModel.DataAnnotations.ValidationException("Ivvy:ApiKey is required"),
        new ConnectorException("ivvy", "test.ping", FailureKind.Config, "iVvy refused the credentials. Check Ivvy:ApiKey"),
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public void Of_BadInput_IsExit2WithItsMessage(Exception error)
    {
        var (code, message) = ExitCodes.Of(error);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal(error.Message, message);
    }

    public static TheoryData<Exception> Bugs => new()
    {
        new InvalidOperationException("Sequence contains no elements"),
        new NullReferenceException(),
        new ConnectorException("hubspot", "contacts.batch/upsert", FailureKind.System, "HubSpot answered 500 with a body that is not JSON"),
    };

    [Theory]
    [MemberData(nameof(Bugs))]
    public void Of_AnythingElse_IsAnInternalErrorWithItsDetails(Exception error)
    {
        var (code, message) = ExitCodes.Of(error);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.StartsWith("internal error", message, StringComparison.Ordinal);
        Assert.Contains(error.GetType().FullName!, message, StringComparison.Ordinal);
        Assert.Contains(error.Message, message, StringComparison.Ordinal);
    }
}
