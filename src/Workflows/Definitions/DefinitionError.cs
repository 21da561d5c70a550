namespace IvvyWorkflows.Workflows.Definitions;

/// <summary>One problem in a definition, at a path such as <c>streams[0].source.cursor</c>.</summary>
public sealed record DefinitionError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>A definition that cannot run: every error found, each with its path, and the file it came from.</summary>
public sealed class DefinitionException(string file, IReadOnlyList<DefinitionError> errors)
    : BadInputException($"{file} is not a valid workflow definition:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", errors)}")
{
    public string File { get; } = file;

    public IReadOnlyList<DefinitionError> Errors { get; } = errors;
}
