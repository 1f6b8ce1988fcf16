using System.Collections.Concurrent;
using System.Text;
using BotFlow.Sdk.Data;
using BotFlow.Sdk.Templates;
using Microsoft.Extensions.Options;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace BotFlow.Host.Templates;

/// <summary>
/// Sandboxed Scriban. Parsed templates are immutable, so one cached instance serves every render; each render gets a
/// fresh <see cref="TemplateContext"/> over plain data, with a builtin set that has no <c>include</c> and no
/// <c>object.eval</c>, so text a contact typed can never run as a template.
/// </summary>
public sealed class ScribanTemplateEngine : ITemplateEngine
{
    private readonly TemplateOptions _options;
    private readonly ConcurrentDictionary<string, ParsedTemplate> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ParsedTemplate> _expressions = new(StringComparer.Ordinal);
    private readonly ScriptObject _builtins;

    public ScribanTemplateEngine(IOptions<TemplateOptions> options)
    {
        _options = options.Value;
        _builtins = CreateBuiltins();
    }

    /// <summary>How many templates were parsed (not taken from the cache); tests and benchmarks read it.</summary>
    public long ParseCount => Interlocked.Read(ref _parseCount);

    private long _parseCount;

    /// <summary>How many Scriban contexts were created (simple templates render without one); tests read it.</summary>
    public long ContextCount => Interlocked.Read(ref _contextCount);

    private long _contextCount;

    public ITemplate Parse(string source) => GetOrParse(_cache, source ?? "", expression: false);

    public IReadOnlyList<TemplateError> CheckExpression(string expression) => GetOrParse(_expressions, expression ?? "", expression: true).Errors;

    public RenderResult Render(ITemplate template, TemplateScope scope)
    {
        var parsed = template as ParsedTemplate ?? (ParsedTemplate)Parse(template.Source);
        if (parsed.Errors.Count > 0)
        {
            return new RenderResult("", [], "template error " + parsed.Errors[0]);
        }

        if (parsed.IsPlainText)
        {
            return parsed.PlainResult!;
        }

        List<string>? warnings = null;
        if (parsed.Simple is { } simple)
        {
            var values = PlaceholderValues(scope, parsed, ref warnings);
            if (simple.TryRender(scope, values, _options.OutputLimit, out var fast))
            {
                if (Volatile.Read(ref parsed.SimpleVerified) == 1)
                {
                    return new RenderResult(fast, (IReadOnlyList<string>?)warnings ?? []);
                }

                // Once per template, the simple render is checked against Scriban's; a difference sends this template to Scriban for good.
                List<string>? ignored = null;
                var expected = RenderWithScriban(scope, parsed, ref ignored);
                if (expected.Succeeded && expected.Text == fast)
                {
                    Volatile.Write(ref parsed.SimpleVerified, 1);
                }
                else
                {
                    parsed.Simple = null;
                }

                return expected.Succeeded ? new RenderResult(expected.Text, (IReadOnlyList<string>?)warnings ?? []) : expected;
            }

            warnings = null;
        }

        return RenderWithScriban(scope, parsed, ref warnings);
    }

    private RenderResult RenderWithScriban(TemplateScope scope, ParsedTemplate parsed, ref List<string>? warnings)
    {
        var context = CreateContext(scope, parsed, ref warnings);
        try
        {
            var text = parsed.Template!.Render(context);
            return new RenderResult(text, (IReadOnlyList<string>?)warnings ?? []);
        }
        catch (ScriptRuntimeException ex)
        {
            return new RenderResult("", (IReadOnlyList<string>?)warnings ?? [], Describe(ex));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException or System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return new RenderResult("", (IReadOnlyList<string>?)warnings ?? [], ex.Message);
        }
    }

    public bool EvaluateCondition(string expression, TemplateScope scope)
    {
        var parsed = GetOrParse(_expressions, expression ?? "", expression: true);
        if (parsed.Errors.Count > 0)
        {
            throw new TemplateException("expression error " + parsed.Errors[0]);
        }

        List<string>? warnings = null;
        var context = CreateContext(scope, parsed, ref warnings);
        try
        {
            var value = parsed.Template!.Evaluate(context);
            return context.ToBool(default, value);
        }
        catch (ScriptRuntimeException ex)
        {
            throw new TemplateException(Describe(ex));
        }
    }

    private ParsedTemplate GetOrParse(ConcurrentDictionary<string, ParsedTemplate> cache, string source, bool expression)
    {
        if (cache.TryGetValue(source, out var cached))
        {
            return cached;
        }

        if (cache.Count >= _options.CacheSize)
        {
            // Crude but bounded: a full cache starts over instead of growing with every distinct text.
            cache.Clear();
        }

        Interlocked.Increment(ref _parseCount);
        var parsed = expression ? ParseExpression(source) : ParseTemplate(source);
        cache.TryAdd(source, parsed);
        return parsed;
    }

    private ParsedTemplate ParseTemplate(string source)
    {
        if (source.Length > _options.MaxSourceLength)
        {
            return ParsedTemplate.Failed(source, new TemplateError(1, 1, $"template is longer than {_options.MaxSourceLength} characters"));
        }

        // Scriban accepts a template that ends inside a code block; for an admin that is almost always a typo.
        var lastOpen = source.LastIndexOf("{{", StringComparison.Ordinal);
        if (lastOpen >= 0 && source.IndexOf("}}", lastOpen + 2, StringComparison.Ordinal) < 0)
        {
            var line = source.AsSpan(0, lastOpen).Count('\n') + 1;
            var column = lastOpen - (source.LastIndexOf('\n', Math.Max(0, lastOpen - 1)) + 1) + 1;
            return ParsedTemplate.Failed(source, new TemplateError(line, column, "'{{' is not closed with '}}'"));
        }

        var (scriban, placeholders) = Placeholders.Rewrite(source);
        if (placeholders.Count == 0 && !source.Contains("{{", StringComparison.Ordinal))
        {
            return new ParsedTemplate(source, null, [], [], isPlainText: true);
        }

        var template = Template.Parse(scriban);
        if (template.HasErrors)
        {
            return ParsedTemplate.Failed(source, Errors(template, scriban));
        }

        return new ParsedTemplate(source, template, placeholders, [], isPlainText: false) { Simple = SimpleTemplate.TryCompile(scriban) };
    }

    private static ParsedTemplate ParseExpression(string source)
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            return ParsedTemplate.Failed(source, new TemplateError(1, 1, "the expression is empty"));
        }

        var template = Template.Parse(source, lexerOptions: new LexerOptions { Mode = ScriptMode.ScriptOnly });
        return template.HasErrors
            ? ParsedTemplate.Failed(source, Errors(template, source))
            : new ParsedTemplate(source, template, [], [], isPlainText: false);
    }

    private static TemplateError[] Errors(Template template, string source) =>
        template.Messages.Where(m => m.Type == Scriban.Parsing.ParserMessageType.Error)
            .Select(m => m.Span.Start.Line >= 0
                ? new TemplateError(m.Span.Start.Line + 1, m.Span.Start.Column + 1, m.Message)
                : EndOf(source, m.Message))
            .ToArray();

    /// <summary>Scriban reports errors found at the end of input without a position: point at the end.</summary>
    private static TemplateError EndOf(string source, string message)
    {
        var lines = source.Split('\n');
        return new TemplateError(lines.Length, lines[^1].Length + 1, message);
    }

    private static string[]? PlaceholderValues(TemplateScope scope, ParsedTemplate parsed, ref List<string>? warnings)
    {
        if (parsed.Placeholders.Count == 0)
        {
            return null;
        }

        var values = new string[parsed.Placeholders.Count];
        var body = (scope.Response as IReadOnlyDictionary<string, object?>)?.GetValueOrDefault("body");
        for (var i = 0; i < values.Length; i++)
        {
            var path = parsed.Placeholders[i];
            if (path.TryRead(body, out var value))
            {
                values[i] = PlainData.ToText(value);
            }
            else
            {
                values[i] = "";
                (warnings ??= []).Add($"placeholder {{{path.Source}}}: no value at that path in the response body");
            }
        }

        return values;
    }

    private TemplateContext CreateContext(TemplateScope scope, ParsedTemplate parsed, ref List<string>? warnings)
    {
        Interlocked.Increment(ref _contextCount);
        var globals = new ScriptObject(8)
        {
            ["contact"] = scope.Contact,
            ["vars"] = scope.Vars,
            ["response"] = scope.Response,
        };
        // Always defined, so a template that names a secret where none are available fails clearly instead of rendering empty.
        globals["secrets"] = scope.Secrets is { } secrets ? new SecretsObject(secrets) : SecretsObject.Unavailable;

        if (scope.Extra is { } extra)
        {
            foreach (var (key, value) in extra)
            {
                globals[key] = value;
            }
        }

        if (PlaceholderValues(scope, parsed, ref warnings) is { } values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                globals[Placeholders.VariableName(i)] = values[i];
            }
        }

        var context = new TemplateContext(_builtins)
        {
            LoopLimit = _options.LoopLimit,
            RecursiveLimit = _options.RecursiveLimit,
            LimitToString = _options.OutputLimit,
            OutputLimit = _options.OutputLimit,
            OnOutputLimit = ScriptLimitBehavior.Throw,
            RegexTimeOut = _options.RegexTimeout,
            TemplateLoader = null,
            StrictVariables = false,
            EnableRelaxedMemberAccess = true,
            // Only dictionary keys are data: no .NET member of any object is visible to a template.
            MemberFilter = _ => false,
        };
        context.PushGlobal(globals);
        return context;
    }

    private static ScriptObject CreateBuiltins()
    {
        var builtins = TemplateContext.GetDefaultBuiltinObject();
        builtins.Remove("include");
        if (builtins["object"] is ScriptObject objectFunctions)
        {
            objectFunctions.Remove("eval");
            objectFunctions.Remove("eval_template");
        }

        // Shared by every render, so nothing a template does may change it.
        foreach (var name in builtins.Keys.ToList())
        {
            if (builtins[name] is ScriptObject child)
            {
                child.IsReadOnly = true;
            }
        }

        builtins.IsReadOnly = true;
        return builtins;
    }

    private static string Describe(ScriptRuntimeException ex) =>
        $"line {ex.Span.Start.Line + 1}, column {ex.Span.Start.Column + 1}: {ex.OriginalMessage}";

    private sealed class ParsedTemplate(string source, Template? template, IReadOnlyList<DataPath> placeholders, IReadOnlyList<TemplateError> errors, bool isPlainText) : ITemplate
    {
        public string Source { get; } = source;
        public Template? Template { get; } = template;
        public IReadOnlyList<DataPath> Placeholders { get; } = placeholders;
        public IReadOnlyList<TemplateError> Errors { get; } = errors;
        public bool IsPlainText { get; } = isPlainText;

        /// <summary>What a plain-text template renders to, every time (made with the template: a result is immutable).</summary>
        public RenderResult? PlainResult { get; } = isPlainText ? new RenderResult(source, []) : null;

        /// <summary>Set when the template is text and member paths only (rendered without a Scriban context).</summary>
        public SimpleTemplate? Simple { get; set; }

        /// <summary>0 until the simple render was compared with Scriban's once; 1 when they agreed.</summary>
        public int SimpleVerified;

        public static ParsedTemplate Failed(string source, params TemplateError[] errors) => new(source, null, [], errors, false);
    }

    /// <summary>Resolves <c>secrets.name</c> lazily so only the secrets a template names are read.</summary>
    private sealed class SecretsObject(Func<string, string?>? read) : IScriptObject
    {
        public static readonly SecretsObject Unavailable = new(null);

        public int Count => 0;
        public IEnumerable<string> GetMembers() => [];
        public bool Contains(string member) => read?.Invoke(member) is not null;
        public bool IsReadOnly { get => true; set { } }

        public bool TryGetValue(TemplateContext? context, SourceSpan span, string member, out object? value)
        {
            if (read is null)
            {
                throw new ScriptRuntimeException(span, "secrets are not available here");
            }

            value = read(member);
            if (value is null)
            {
                throw new ScriptRuntimeException(span, $"secret '{member}' is not defined");
            }

            return true;
        }

        public bool CanWrite(string member) => false;
        public bool TrySetValue(TemplateContext? context, SourceSpan span, string member, object? value, bool readOnly) => false;
        public bool Remove(string member) => false;
        public void SetReadOnly(string member, bool readOnly) { }
        public IScriptObject Clone(bool deep) => this;
    }
}

/// <summary>
/// The compatibility placeholders <c>{data[url]}</c>: single braces around a bracket path, outside <c>{{ }}</c>.
/// They are rewritten once at parse time into Scriban variables filled from the response body at render time, so a
/// value from the response is inserted as text and never parsed as template code.
/// </summary>
internal static class Placeholders
{
    public const string VariablePrefix = "__botflow_placeholder_";

    public static string VariableName(int index) => VariablePrefix + index;

    public static (string Scriban, IReadOnlyList<DataPath> Paths) Rewrite(string source)
    {
        if (source.IndexOf('{') < 0)
        {
            return (source, []);
        }

        var paths = new List<DataPath>();
        var output = new StringBuilder(source.Length + 16);
        var i = 0;
        while (i < source.Length)
        {
            if (source[i] == '{' && i + 1 < source.Length && source[i + 1] == '{')
            {
                // Copy a Scriban code block unchanged.
                var end = source.IndexOf("}}", i + 2, StringComparison.Ordinal);
                end = end < 0 ? source.Length : end + 2;
                output.Append(source, i, end - i);
                i = end;
                continue;
            }

            if (source[i] == '{')
            {
                var close = source.IndexOf('}', i + 1);
                if (close > i + 1 && IsBracketPath(source.AsSpan(i + 1, close - i - 1))
                    && DataPath.TryParse(source.Substring(i + 1, close - i - 1), out var path, out _))
                {
                    output.Append("{{ ").Append(VariableName(paths.Count)).Append(" }}");
                    paths.Add(path);
                    i = close + 1;
                    continue;
                }
            }

            output.Append(source[i]);
            i++;
        }

        return paths.Count == 0 ? (source, []) : (output.ToString(), paths);
    }

    /// <summary>A name then [segments]; no spaces, quotes, braces or colons outside the brackets, so JSON-like text is left alone.</summary>
    private static bool IsBracketPath(ReadOnlySpan<char> text)
    {
        var depth = 0;
        foreach (var c in text)
        {
            switch (c)
            {
                case '[': depth++; break;
                case ']': depth--; break;
                case '{' or '}' or '"' or '\'' or '\n' or '\r': return false;
                case ' ' or ':' or ',' when depth == 0: return false;
            }

            if (depth is < 0 or > 1)
            {
                return false;
            }
        }

        return depth == 0 && text.Length > 0 && text[0] != '[';
    }
}
