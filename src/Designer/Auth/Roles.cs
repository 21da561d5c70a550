namespace IvvyWorkflows.Designer.Auth;

/// <summary>The three roles and the policies the endpoints require. An integrator may do everything an operator may.</summary>
public static class Roles
{
    public const string Integrator = "integrator";
    public const string Operator = "operator";
    public const string BusinessUser = "business-user";

    public static readonly IReadOnlyList<string> All = [Integrator, Operator, BusinessUser];

    /// <summary>See modules, runs, quarantine and conflicts: every signed-in role.</summary>
    public const string ReadPolicy = "read";

    /// <summary>Start, resume, restart and terminate runs, replay quarantine, change schedules: operators and integrators.</summary>
    public const string OperatePolicy = "operate";

    /// <summary>Definitions, API keys and accounts: integrators.</summary>
    public const string IntegratePolicy = "integrate";

    /// <summary>Templates (the template studio): business users and integrators.</summary>
    public const string TemplatesPolicy = "templates";

    public static bool IsKnown(string role) => All.Contains(role);
}
