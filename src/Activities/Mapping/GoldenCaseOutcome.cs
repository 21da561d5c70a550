namespace IvvyWorkflows.Activities.Mapping;

/// <summary>The result of running one <see cref="GoldenCase"/>.</summary>
/// <param name="Case">The case that ran.</param>
/// <param name="Passed">True when the output (or the failure) matched what the case expects.</param>
/// <param name="Message">"passed", or a readable account of what differed (path-by-path diff, actual output, diagnostics).</param>
/// <param name="Result">The mapping result, when the template compiled and the input was readable.</param>
public sealed record GoldenCaseOutcome(GoldenCase Case, bool Passed, string Message, MappingResult? Result);
