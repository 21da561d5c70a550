using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Mapping;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Activities.Tests.Mapping;

public sealed class MappingTemplateTests
{
    private const string Name = "contacts/v1/templates/x.scriban";

    private static JsonObject Record(string json = """{"id": 7, "email": "ann@example.com", "firstName": "Ann"}""") =>
        JsonNode.Parse(json)!.AsObject();

    private static MappingResult Render(string template, JsonObject? record = null, JsonObject? context = null) =>
        MappingTemplate.Compile(Name, template).Render(record ?? Record(), context);

    [Fact]
    public void Compile_BrokenExpression_ThrowsWithExactLineAndColumn()
    {
        const string broken = "{\n  \"email\": {{ record.email + }}\n}";

        var ex = Assert.Throws<TemplateCompileException>(() => MappingTemplate.Compile(Name, broken));

        var diagnostic = Assert.Single(ex.Diagnostics);
        Assert.Equal(Name, diagnostic.Template);
        Assert.Equal(2, diagnostic.Line);
        // Column 30 is the `}}` where the right-hand operand of `+` should have been.
        Assert.Equal(30, diagnostic.Column);
        Assert.Contains("to the right of the operator", diagnostic.Message);
        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public void Compile_SeveralErrors_MessageListsEveryDiagnostic()
    {
        var ex = Assert.Throws<TemplateCompileException>(() => MappingTemplate.Compile(Name, "{{ 1 + }}\n{{ x = }}\n{{ for }}"));

        Assert.Equal([(1, 8), (2, 8), (3, 8)], ex.Diagnostics.Select(d => (d.Line, d.Column)));
        Assert.All(ex.Diagnostics, d => Assert.Contains(d.ToString(), ex.Message));
        Assert.StartsWith($"Template '{Name}' has 3 errors:", ex.Message);
    }

    [Fact]
    public void Compile_CrlfText_ReportsSameLineAsLf()
    {
        var ex = Assert.Throws<TemplateCompileException>(() => MappingTemplate.Compile(Name, "{\r\n  \"email\": {{ record.email + }}\r\n}"));

        Assert.Equal((2, 30), (ex.Diagnostics[0].Line, ex.Diagnostics[0].Column));
    }

    [Fact]
    public void Compile_OptionsOutOfRange_ThrowsValidationException()
    {
        Assert.Throws<ValidationException>(() => MappingTemplate.Compile(Name, "{}", new MappingTemplateOptions { LoopLimit = 0 }));
    }

    [Fact]
    public void Check_BrokenTemplate_ReturnsDiagnosticsWithoutThrowing()
    {
        var diagnostics = MappingTemplate.Check(Name, "{\n  {{ if record.x }}\n}");

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(2, diagnostic.Line);
        Assert.Contains("end", diagnostic.Message);
    }

    [Fact]
    public void Check_ValidTemplate_ReturnsNoDiagnostics()
    {
        Assert.Empty(MappingTemplate.Check(Name, "{ \"email\": {{ record.email | json }} }"));
    }

    [Fact]
    public void Render_JsonTemplate_ReturnsParsedObjectAndRenderedText()
    {
        var result = Render("{ \"email\": {{ record.email | string.upcase | json }}, \"id\": {{ record.id }} }");

        Assert.True(result.IsSuccess, result.ToString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"email": "ANN@EXAMPLE.COM", "id": 7}"""), result.Output));
        Assert.Equal("{ \"email\": \"ANN@EXAMPLE.COM\", \"id\": 7 }", result.RenderedText);
    }

    [Fact]
    public void Render_MissingField_ReadsAsNull()
    {
        var result = Render("""
            { "phone": {{ record.phone | json }}, "deep": {{ record.a.b.c | json }}, "item": {{ record.list[3].x | json }} }
            """);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal("""{"phone":null,"deep":null,"item":null}""", result.Output.ToJsonString());
    }

    [Fact]
    public void Render_Context_IsVisibleAsContextGlobal()
    {
        var result = Render("{ \"module\": {{ context.module | json }} }", context: JsonNode.Parse("""{"module": "contacts"}""")!.AsObject());

        Assert.Equal("contacts", (string?)result.Output?["module"]);
    }

    [Fact]
    public void Render_TrailingComma_IsAccepted()
    {
        var result = Render("{ \"id\": {{ record.id }},{{ if false }} \"x\": 1,{{ end }} }");

        Assert.Equal("""{"id":7}""", result.Output?.ToJsonString());
    }

    [Fact]
    public void Render_RequiredFieldMissing_FailsAtTheCallsLineAndColumn()
    {
        const string template = "{\n  \"id\": {{ record.id }},\n  \"email\": {{ record.nope | required \"email\" | json }}\n}";

        var result = Render(template);

        Assert.False(result.IsSuccess);
        Assert.Equal(new TemplateDiagnostic(Name, 3, 29, "email is required"), result.Error);
        Assert.Null(result.RenderedText);
    }

    [Fact]
    public void Render_OutputNotJson_SaysSoQuotesSnippetAndPointsAtTheExpression()
    {
        // The value is written without json(), so the output holds a bare word.
        const string template = "{\n  \"name\": {{ record.firstName }}\n}";

        var result = Render(template);

        Assert.False(result.IsSuccess);
        Assert.Equal((2, 14), (result.Error.Line, result.Error.Column));
        Assert.Contains("not valid JSON", result.Error.Message);
        Assert.Contains("output line 2, column 11", result.Error.Message);
        Assert.Contains("\"name\": >>>Ann", result.Error.Message);
        Assert.Equal("{\n  \"name\": Ann\n}", result.RenderedText);
    }

    [Fact]
    public void Render_BadLiteralText_PointsAtTheExactTemplateCharacter()
    {
        const string template = "{\n{{ for x in [1, 2] }}\n  \"a{{ x }}\": {{ x }}{{ if x == 2 }}oops{{ end }},\n{{ end }}\n}";

        var result = Render(template);

        Assert.False(result.IsSuccess);
        // Line 3, column 37 is the 'o' of "oops", reached on the second iteration.
        Assert.Equal((3, 37), (result.Error.Line, result.Error.Column));
    }

    [Fact]
    public void Render_DuplicateProperty_NamesItAndPointsAtTheSecondOne()
    {
        var result = Render("{\n  \"a\": 1,\n  \"a\": 2\n}");

        Assert.False(result.IsSuccess);
        Assert.Contains("Duplicate property 'a'", result.Error.Message);
        Assert.Equal((3, 3), (result.Error.Line, result.Error.Column));
    }

    [Theory]
    [InlineData("[1, 2]", "an array")]
    [InlineData("\"text\"", "a string")]
    [InlineData("42", "a number")]
    [InlineData("null", "null")]
    public void Render_OutputNotAnObject_SaysWhatItIs(string template, string kind)
    {
        var result = Render(template);

        Assert.False(result.IsSuccess);
        Assert.Contains($"must be a JSON object but is {kind}", result.Error.Message);
    }

    [Fact]
    public void Render_EmptyOutput_SaysNothingWasRendered()
    {
        var result = Render("  {{ '' }}\n");

        Assert.False(result.IsSuccess);
        Assert.Contains("rendered nothing", result.Error.Message);
    }

    [Fact]
    public void Render_LoopOverLimit_FailsWithLoopLimit()
    {
        var result = Render("{{ i = 0\nwhile true\n  i = i + 1\nend }}{}");

        Assert.False(result.IsSuccess);
        Assert.Contains("limit `1000`", result.Error.Message);
        Assert.Equal(2, result.Error.Line);
    }

    [Fact]
    public void Render_LoopWithinLimit_Succeeds()
    {
        var result = Render("{{ n = 0; for i in 1..1000; n = n + 1; end }}{ \"n\": {{ n }} }");

        Assert.Equal(1000, (long?)result.Output?["n"]);
    }

    [Fact]
    public void Render_DeepRecursion_FailsWithRecursiveLimit()
    {
        var result = Render("{{ func f(n); ret f(n + 1); end }}{ \"a\": {{ f 1 }} }");

        Assert.False(result.IsSuccess);
        Assert.Contains("recursive depth limit `50`", result.Error.Message);
    }

    [Fact]
    public void Render_OutputOverLimit_FailsInsteadOfTruncating()
    {
        var result = Render("{{ for i in 1..900 }}{{ '' | string.pad_left 2000 }}{{ end }}");

        Assert.False(result.IsSuccess);
        Assert.Contains("1048576", result.Error.Message);
    }

    [Fact]
    public void Render_Include_IsRefused()
    {
        var result = Render("{\n  {{ include 'secrets.txt' }}\n}");

        Assert.False(result.IsSuccess);
        Assert.Contains("No TemplateLoader", result.Error.Message);
        Assert.Equal((2, 6), (result.Error.Line, result.Error.Column));
    }

    [Fact]
    public void Render_ReflectionOnData_FindsNoDotNetMembers()
    {
        const string template = """
            {
              "recordGetType": {{ record.GetType | json }},
              "recordType": {{ record | object.typeof | json }},
              "emailGetType": {{ record.email.GetType | json }},
              "emailLength": {{ record.email.Length | json }},
              "idGetType": {{ record.id.GetType | json }},
              "idType": {{ record.id | object.typeof | json }},
              "iteratorCount": {{ ('a,b' | string.split ',').count | json }},
              "keys": {{ record | object.keys | json }}
            }
            """;

        var result = Render(template);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {
              "recordGetType": null, "recordType": "object", "emailGetType": null, "emailLength": null,
              "idGetType": null, "idType": "number", "iteratorCount": null, "keys": ["id", "email", "firstName"]
            }
            """), result.Output), result.Output.ToJsonString());
    }

    [Fact]
    public void Render_AssignToRecord_IsRefused()
    {
        var result = Render("{{ record = 5 }}{}");

        Assert.False(result.IsSuccess);
        Assert.Contains("readonly", result.Error.Message);
    }

    [Fact]
    public void Render_TemplateMutatesRecord_DoesNotChangeCallersRecordOrLaterRenders()
    {
        var template = MappingTemplate.Compile(Name, "{{ record.email = 'changed'; record.extra = 1 }}{ \"email\": {{ record.email | json }} }");
        var record = Record();

        var first = template.Render(record);
        var second = template.Render(Record("""{"email": "b@example.com"}"""));

        Assert.Equal("changed", (string?)first.Output?["email"]);
        Assert.Equal("ann@example.com", (string?)record["email"]);
        Assert.False(record.ContainsKey("extra"));
        Assert.Equal("changed", (string?)second.Output?["email"]);
    }

    [Fact]
    public void Render_ConcurrentCalls_EachGetsItsOwnRecord()
    {
        var template = MappingTemplate.Compile(Name,
            "{{ n = 0; for i in 1..50; n = n + 1; end }}{ \"email\": {{ record.email | string.downcase | json }}, \"n\": {{ n }} }");
        var mismatches = 0;

        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var result = template.Render(Record($$"""{"email": "USER{{i}}@EXAMPLE.COM"}"""));
            if (!result.IsSuccess || (string?)result.Output["email"] != $"user{i}@example.com" || (long?)result.Output["n"] != 50)
            {
                Interlocked.Increment(ref mismatches);
            }
        });

        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void Render_PastTimeout_FailsWithTimeoutDiagnostic()
    {
        var clock = new FakeTimeProvider();
        var options = new MappingTemplateOptions { LoopLimit = 1_000_000, RenderTimeout = TimeSpan.FromSeconds(1) };
        var template = MappingTemplate.Compile(Name, "{{ n = 0\nwhile true\n  n = n + 1\nend }}{}", options, clock);
        using var rendered = new ManualResetEventSlim();

        // The fake clock only moves when told to: keep moving it, from a thread of its own (not the pool, which
        // parallel tests may be using up), until the render has stopped.
        var ticker = new Thread(() =>
        {
            while (!rendered.IsSet)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                Thread.Yield();
            }
        }) { IsBackground = true };
        ticker.Start();
        var result = template.Render(Record());
        rendered.Set();
        ticker.Join();

        Assert.False(result.IsSuccess);
        Assert.Contains("longer than 1 s", result.Error.Message);
    }

    [Fact]
    public void Render_TimeoutOnceThenInTime_SucceedsOnTheSecondBudget()
    {
        // The first render's budget is gone at once (as on a machine too busy to run it); the second has its own.
        var clock = new FirstTimerExpiredTimeProvider();
        var options = new MappingTemplateOptions { RenderTimeout = TimeSpan.FromSeconds(1) };
        var template = MappingTemplate.Compile(Name, "{{ n = 0\nfor i in 1..10\n  n = n + 1\nend }}{\"n\": {{ n }}}", options, clock);

        var result = template.Render(Record());

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(10, (int)result.Output["n"]!);
        Assert.Equal(2, clock.TimersCreated);
    }

    /// <summary>System time, except that the first timer created has expired by the time it is returned.</summary>
    private sealed class FirstTimerExpiredTimeProvider : TimeProvider
    {
        public int TimersCreated { get; private set; }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (TimersCreated++ > 0)
            {
                return base.CreateTimer(callback, state, dueTime, period);
            }

            callback(state);
            return base.CreateTimer(static _ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    [Fact]
    public void ContentHash_LineEndings_DoNotChangeTheHash()
    {
        var lf = MappingTemplate.Compile(Name, "{\n  \"a\": 1\n}\n");
        var crlf = MappingTemplate.Compile(Name, "{\r\n  \"a\": 1\r\n}\r\n");
        var other = MappingTemplate.Compile(Name, "{\n  \"a\": 2\n}\n");

        Assert.Equal(lf.ContentHash, crlf.ContentHash);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("{\n  \"a\": 1\n}\n"))), lf.ContentHash);
        Assert.NotEqual(lf.ContentHash, other.ContentHash);
        Assert.Equal(lf.ContentHash, MappingTemplate.ComputeHash("{\r\n  \"a\": 1\r\n}\r\n"));
    }
}
