namespace IvvyWorkflows.Workflows;

/// <summary>Something the user gave is wrong (a definition, a setting, a run id, a module name): the message says what
/// and where, and the user can fix it. Any other exception is a fault of the program, reported as an internal error.</summary>
public class BadInputException(string message, Exception? inner = null) : Exception(message, inner);
