using System.Collections;
using System.Numerics;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Runtime.Accessors;
using Scriban.Syntax;

namespace IvvyWorkflows.Activities.Mapping;

/// <summary>The <see cref="TemplateContext"/> of one render: sandbox limits, plus the span of each expression written.</summary>
internal sealed class SandboxTemplateContext : TemplateContext
{
    public SandboxTemplateContext(MappingTemplateOptions options, CancellationToken cancellationToken)
    {
        LoopLimit = options.LoopLimit;
        RecursiveLimit = options.RecursiveLimit;
        LimitToString = options.LimitToString;
        // Truncating would append "..." inside a value or the document and turn a limit into wrong data; fail instead.
        OnStringLimit = ScriptLimitBehavior.Throw;
        OnOutputLimit = ScriptLimitBehavior.Throw;
        RegexTimeOut = options.RenderTimeout;
        TemplateLoader = null;
        // Real records lack fields and whole sub-objects; reading through a missing one gives null, not an error.
        StrictVariables = false;
        EnableRelaxedMemberAccess = true;
        EnableRelaxedTargetAccess = true;
        EnableRelaxedIndexerAccess = true;
        EnableNullIndexer = true;
        CancellationToken = cancellationToken;
        NewLine = "\n";
    }

    /// <summary>The span of the expression whose value is being written, while it is written.</summary>
    public SourceSpan? WritingSpan { get; private set; }

    private SourceSpan? _lastExpressionStatement;

    public override object? Evaluate(ScriptNode? scriptNode, bool aliasReturnedFunction)
    {
        var result = base.Evaluate(scriptNode, aliasReturnedFunction);
        if (scriptNode is ScriptExpressionStatement statement)
        {
            _lastExpressionStatement = statement.Span;
        }
        return result;
    }

    public override TemplateContext Write(SourceSpan span, object? textAsObject)
    {
        // A block writes each statement's value right after evaluating it, but passes its own span (for the page:
        // line 1, column 1); the statement just evaluated is the one that produced the text.
        var outer = WritingSpan;
        WritingSpan = _lastExpressionStatement ?? span;
        _lastExpressionStatement = null;
        try
        {
            return base.Write(span, textAsObject);
        }
        finally
        {
            WritingSpan = outer;
        }
    }

    /// <summary>A structured value (an object or a list from the record, e.g. an iVvy address custom field) used as
    /// text becomes its JSON, never Scriban's own rendering (<c>{nested: [1, 2]}</c>), which nothing can read back.
    /// A value with no JSON form (a function) keeps Scriban's rendering.</summary>
    public override string? ObjectToString(object? value, bool nested = false)
    {
        // Only plain data (records, and objects or lists a template builds): the builtins are ScriptObject subclasses
        // whose members refer back to each other, and the function library is no value at all.
        if ((value?.GetType() == typeof(ScriptObject) || value?.GetType() == typeof(ScriptArray)) && !ReferenceEquals(value, MappingFunctions.Library))
        {
            try
            {
                return JsonLiteral.Write(value);
            }
            catch (JsonLiteralException)
            {
            }
        }

        return base.ObjectToString(value, nested);
    }

    protected override IObjectAccessor? GetMemberAccessorImpl(object target)
    {
        // Data arrives as ScriptObject/ScriptArray, but builtins and functions are .NET objects too; reflecting over
        // them (a function's Method, its DeclaringType, its Assembly...) would open the whole runtime to a template.
        // Only script values, lists and plain scalars get member access; anything else has no members at all.
        var allowed = target is IScriptObject or IList or string or decimal or BigInteger or DateTime or DateTimeOffset or TimeSpan
            || target.GetType().IsPrimitive;
        return allowed ? base.GetMemberAccessorImpl(target) : NullAccessor.Default;
    }
}
