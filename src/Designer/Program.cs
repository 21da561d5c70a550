using IvvyWorkflows.Designer;

// `ivvy-workflows serve` runs the same app; this entry point is for `dotnet run --project src/Designer` and the tests.
var app = DesignerApp.Build(args);
await app.RunAsync();

public partial class Program;
