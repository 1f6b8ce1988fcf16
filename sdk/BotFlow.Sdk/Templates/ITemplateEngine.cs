namespace BotFlow.Sdk.Templates;

/// <summary>A syntax error in a template, with its 1-based line and column.</summary>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Message">What the parser found.</param>
public sealed record TemplateError(int Line, int Column, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"line {Line}, column {Column}: {Message}";
}

/// <summary>A parsed template. Immutable and cached by the host, so one instance serves every render.</summary>
public interface ITemplate
{
    /// <summary>The template's source text.</summary>
    string Source { get; }

    /// <summary>Syntax errors; a template with errors renders nothing.</summary>
    IReadOnlyList<TemplateError> Errors { get; }

    /// <summary>True when the source has neither Scriban code nor placeholders, so rendering returns it as is.</summary>
    bool IsPlainText { get; }
}

/// <summary>The data a template sees. Values are plain JSON-like data, never live host objects.</summary>
public sealed class TemplateScope
{
    // One shared empty map for scopes that leave a root unset (most set both: the default was two maps per scope).
    private static readonly IReadOnlyDictionary<string, object?> NoValues = System.Collections.ObjectModel.ReadOnlyDictionary<string, object?>.Empty;

    /// <summary>The contact's fields as <c>contact.&lt;key&gt;</c> (typed: numbers, booleans, text).</summary>
    public IReadOnlyDictionary<string, object?> Contact { get; init; } = NoValues;

    /// <summary>The flow variables as <c>vars.&lt;key&gt;</c>.</summary>
    public IReadOnlyDictionary<string, object?> Vars { get; init; } = NoValues;

    /// <summary>The last integration response as <c>response</c>, and the body that <c>{data[url]}</c> placeholders read.</summary>
    public object? Response { get; init; }

    /// <summary>Reads a secret by name for <c>secrets.&lt;name&gt;</c>; <c>null</c> where secrets are not available (block texts).</summary>
    public Func<string, string?>? Secrets { get; init; }

    /// <summary>Extra top-level values a block adds (for example <c>item</c> in a loop).</summary>
    public IReadOnlyDictionary<string, object?>? Extra { get; init; }
}

/// <summary>The outcome of a render: the text and any warnings (a placeholder path missing in the response).</summary>
/// <param name="Text">The rendered text.</param>
/// <param name="Warnings">Warnings to record with the execution or log.</param>
/// <param name="Error">Set when rendering failed (syntax or a limit); <paramref name="Text"/> is then empty.</param>
public sealed record RenderResult(string Text, IReadOnlyList<string> Warnings, string? Error = null)
{
    /// <summary>True when rendering produced text without an error.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>
/// The host's sandboxed Scriban: parsed templates are cached, renders run with loop, recursion and output limits,
/// without <c>include</c> or <c>object.eval</c>, over plain data only.
/// </summary>
public interface ITemplateEngine
{
    /// <summary>Parses (or takes from the cache) a template; check <see cref="ITemplate.Errors"/>.</summary>
    ITemplate Parse(string source);

    /// <summary>Renders a parsed template over <paramref name="scope"/>. Never throws for template faults: see <see cref="RenderResult.Error"/>.</summary>
    RenderResult Render(ITemplate template, TemplateScope scope);

    /// <summary>Evaluates a Scriban boolean expression (<c>contact.age &gt;= 18 &amp;&amp; vars.plan == "gold"</c>) with Scriban's truthiness.</summary>
    /// <exception cref="TemplateException">The expression has a syntax error or failed to evaluate.</exception>
    bool EvaluateCondition(string expression, TemplateScope scope);

    /// <summary>Checks an expression's syntax without running it.</summary>
    IReadOnlyList<TemplateError> CheckExpression(string expression);
}

/// <summary>A template or expression failed to parse or evaluate.</summary>
public sealed class TemplateException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TemplateException(string message) : base(message)
    {
    }
}
