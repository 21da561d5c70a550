using IvvyWorkflows.Activities.Mapping;

namespace IvvyWorkflows.Activities.Tests.Mapping;

/// <summary>Discovery and checking of golden cases, on throwaway workflow folders.</summary>
public sealed class GoldenCaseTests : IDisposable
{
    private const string Template = """
        {{ email = record.email | required "email" }}{
          "email": {{ email | json }},
          "name": {{ record.name | json }}
        }
        """;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "golden-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string Write(string relativePath, string content)
    {
        var path = Path.Combine(_root, relativePath.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private void WriteTemplate(string module = "m", string version = "v1", string name = "t") =>
        Write($"{module}/{version}/templates/{name}.scriban", Template);

    private GoldenCase Single() => Assert.Single(GoldenCase.Discover(_root));

    [Fact]
    public void Discover_Layout_FindsCasesWithTheirFilesInIdOrder()
    {
        WriteTemplate();
        Write("m/v1/golden/t/002-b.input.json", """{"email": "b@x.com"}""");
        Write("m/v1/golden/t/002-b.error.txt", "something");
        Write("m/v1/golden/t/001-a.input.json", """{"email": "a@x.com"}""");
        Write("m/v1/golden/t/001-a.expected.json", "{}");
        Write("m/v1/golden/t/001-a.context.json", "{}");
        Write("m/draft/golden/t/001-ignored.input.json", "{}");
        Write("m/v1/golden/t/notes.md", "not a case");

        var cases = GoldenCase.Discover(_root);

        Assert.Equal(["m/v1/t/001-a", "m/v1/t/002-b"], cases.Select(c => c.Id));
        Assert.NotNull(cases[0].ExpectedPath);
        Assert.NotNull(cases[0].ContextPath);
        Assert.Null(cases[0].ErrorPath);
        Assert.NotNull(cases[1].ErrorPath);
        Assert.Equal("m/v1/templates/t.scriban", cases[0].TemplateDisplayName);
        Assert.EndsWith(Path.Combine("m", "v1", "templates", "t.scriban"), cases[0].TemplatePath);
    }

    [Fact]
    public void Discover_MissingFolder_ReturnsNoCases()
    {
        Assert.Empty(GoldenCase.Discover(Path.Combine(_root, "nope")));
    }

    [Fact]
    public void Run_MatchingExpectedOutput_Passes()
    {
        WriteTemplate();
        Write("m/v1/golden/t/001-a.input.json", """{"email": "a@x.com", "name": "Ann"}""");
        Write("m/v1/golden/t/001-a.expected.json", """{"name": "Ann", "email": "a@x.com"}""");

        var outcome = Single().Run();

        Assert.True(outcome.Passed, outcome.Message);
        Assert.True(outcome.Result?.IsSuccess);
    }

    [Fact]
    public void Run_DifferentOutput_FailsWithPathByPathDiff()
    {
        WriteTemplate();
        Write("m/v1/golden/t/001-a.input.json", """{"email": "a@x.com", "name": "Ann"}""");
        Write("m/v1/golden/t/001-a.expected.json", """{"email": "A@X.COM", "phone": null}""");

        var outcome = Single().Run();

        Assert.False(outcome.Passed);
        Assert.Contains("$.email: expected \"A@X.COM\", got \"a@x.com\"", outcome.Message);
        Assert.Contains("$.phone: missing; expected null", outcome.Message);
        Assert.Contains("$.name: unexpected \"Ann\"", outcome.Message);
        Assert.StartsWith("m/v1/t/001-a: ", outcome.Message);
    }

    [Fact]
    public void Run_ExpectedFailureThatHappens_Passes()
    {
        WriteTemplate();
        Write("m/v1/golden/t/001-a.input.json", """{"name": "No Email"}""");
        Write("m/v1/golden/t/001-a.error.txt", "email is required\n");

        var outcome = Single().Run();

        Assert.True(outcome.Passed, outcome.Message);
    }

    [Fact]
    public void Run_ExpectedFailureThatSucceeds_FailsShowingTheOutput()
    {
        WriteTemplate();
        Write("m/v1/golden/t/001-a.input.json", """{"email": "a@x.com"}""");
        Write("m/v1/golden/t/001-a.error.txt", "email is required");

        var outcome = Single().Run();

        Assert.False(outcome.Passed);
        Assert.Contains("but mapping succeeded", outcome.Message);
        Assert.Contains("a@x.com", outcome.Message);
    }

    [Fact]
    public void Run_DifferentFailure_FailsShowingTheActualDiagnostic()
    {
        WriteTemplate();
        Write("m/v1/golden/t/001-a.input.json", """{"name": "No Email"}""");
        Write("m/v1/golden/t/001-a.error.txt", "phone is required");

        var outcome = Single().Run();

        Assert.False(outcome.Passed);
        Assert.Contains("m/v1/templates/t.scriban(1,27): error: email is required", outcome.Message);
    }

    [Fact]
    public void Run_ContextFile_IsPassedToTheTemplate()
    {
        Write("m/v1/templates/t.scriban", """{ "module": {{ context.module | json }} }""");
        Write("m/v1/golden/t/001-a.input.json", "{}");
        Write("m/v1/golden/t/001-a.context.json", """{"module": "m"}""");
        Write("m/v1/golden/t/001-a.expected.json", """{"module": "m"}""");

        var outcome = Single().Run();

        Assert.True(outcome.Passed, outcome.Message);
    }

    [Fact]
    public void Run_NoExpectation_FailsSayingWhatIsMissing()
    {
        WriteTemplate();
        Write("m/v1/golden/t/001-a.input.json", "{}");

        var outcome = Single().Run();

        Assert.False(outcome.Passed);
        Assert.Contains("no 001-a.expected.json or 001-a.error.txt", outcome.Message);
    }

    [Fact]
    public void Run_NoInput_FailsSayingWhatIsMissing()
    {
        WriteTemplate();
        Write("m/v1/golden/t/001-a.expected.json", "{}");

        var outcome = Single().Run();

        Assert.False(outcome.Passed);
        Assert.Contains("no 001-a.input.json", outcome.Message);
    }

    [Fact]
    public void Run_MissingTemplate_FailsNamingIt()
    {
        Write("m/v1/golden/t/001-a.input.json", "{}");
        Write("m/v1/golden/t/001-a.expected.json", "{}");

        var outcome = Single().Run();

        Assert.False(outcome.Passed);
        Assert.Contains("template m/v1/templates/t.scriban not found", outcome.Message);
    }

    [Fact]
    public void Run_BrokenTemplate_FailsWithItsDiagnostics()
    {
        Write("m/v1/templates/t.scriban", "{{ 1 + }}");
        Write("m/v1/golden/t/001-a.input.json", "{}");
        Write("m/v1/golden/t/001-a.expected.json", "{}");

        var outcome = Single().Run();

        Assert.False(outcome.Passed);
        Assert.Contains("m/v1/templates/t.scriban(1,8): error:", outcome.Message);
    }
}
