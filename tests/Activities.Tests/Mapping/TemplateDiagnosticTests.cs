using IvvyWorkflows.Activities.Mapping;

namespace IvvyWorkflows.Activities.Tests.Mapping;

public sealed class TemplateDiagnosticTests
{
    [Fact]
    public void ToString_Diagnostic_UsesCompilerStyle()
    {
        var diagnostic = new TemplateDiagnostic("contacts/v1/templates/x.scriban", 3, 14, "email is required");

        Assert.Equal("contacts/v1/templates/x.scriban(3,14): error: email is required", diagnostic.ToString());
    }
}
