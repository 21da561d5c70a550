using System.ComponentModel.DataAnnotations;

namespace IvvyWorkflows.Designer.Scheduling;

/// <summary>Schedules of the enabled modules (section <c>Schedules</c>). Every enabled module runs on
/// <see cref="Default"/> unless <see cref="Modules"/> names its own; an operator may override either from the console.</summary>
public sealed class ScheduleOptions : IValidatableObject
{
    public const string SectionName = "Schedules";

    /// <summary>Run the schedules at all (off: <c>serve</c> only runs what operators start).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Every 15 minutes.</summary>
    [Required]
    public string Default { get; set; } = "*/15 * * * *";

    /// <summary>Per module, e.g. <c>Schedules:Modules:contacts = "0 * * * *"</c>.</summary>
    public Dictionary<string, string> Modules { get; set; } = [];

    /// <summary>The schedule settings give a module.</summary>
    public Schedule For(string module) =>
        Modules.TryGetValue(module, out var expression)
            ? Schedule.Parse(expression, $"{SectionName}:{nameof(Modules)}:{module}")
            : Schedule.Parse(Default, $"{SectionName}:{nameof(Default)}");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (setting, expression) in Modules.Select(m => ($"{SectionName}:{nameof(Modules)}:{m.Key}", m.Value)).Prepend(($"{SectionName}:{nameof(Default)}", Default)))
        {
            string? error = null;
            try
            {
                Schedule.Parse(expression ?? "", setting);
            }
            catch (FormatException e)
            {
                error = e.Message;
            }

            if (error is not null)
            {
                yield return new ValidationResult(error, [setting]);
            }
        }
    }
}
