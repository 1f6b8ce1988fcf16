using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Acornima;
using Acornima.Ast;
using Jint;
using Jint.Native;
using Jint.Native.Error;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace BotFlow.Plugins.Integration.Scripts;

/// <summary>What a response-mapping script sees, as plain data (never live .NET objects).</summary>
/// <param name="Response">
/// The host's parsed response <c>{ status, headers, body, text, elapsedMs, error }</c>, built from
/// <see cref="IReadOnlyDictionary{TKey,TValue}"/> (string keys), lists, string, bool, numbers and null.
/// </param>
/// <param name="Contact">The contact's fields; the script gets a frozen copy.</param>
/// <param name="Vars">The flow variables; the script gets a frozen copy.</param>
internal sealed record ScriptInput(
    object? Response,
    IReadOnlyDictionary<string, object?> Contact,
    IReadOnlyDictionary<string, object?> Vars);

/// <summary>What one run produced. Values are plain data: string, double, bool, null, <see cref="List{T}"/>, <see cref="Dictionary{TKey,TValue}"/>.</summary>
internal sealed class ScriptResult
{
    /// <summary><c>"success"</c>, <c>"failure"</c>, or null when the script returned nothing (the HTTP status decides).</summary>
    public string? Outcome { get; init; }

    /// <summary>The <c>message</c> of a returned <c>{ outcome, message }</c>.</summary>
    public string? Message { get; init; }

    /// <summary>Registration fields set with <c>setField</c>; empty when the run failed, so a half-done script changes nothing.</summary>
    public IReadOnlyDictionary<string, object?> FieldsSet { get; init; } = new Dictionary<string, object?>();

    /// <summary>Flow variables set with <c>setVar</c>; empty when the run failed.</summary>
    public IReadOnlyDictionary<string, object?> VarsSet { get; init; } = new Dictionary<string, object?>();

    /// <summary>Lines written with <c>log</c>, kept even when the run failed (they help finding why).</summary>
    public IReadOnlyList<string> Log { get; init; } = [];

    /// <summary>Why the run failed, for the admin: <c>line 2, column 7: ReferenceError: x is not defined</c>, a limit, ….</summary>
    public string? Error { get; init; }

    public bool Succeeded => Error is null;

    internal static ScriptResult Failed(string error, IReadOnlyList<string> log) => new() { Error = error, Log = log };
}

/// <summary>The result of checking a script when a flow is saved.</summary>
/// <param name="Error">The problem, prefixed with its position when there is one (<c>line 3, column 5: Unexpected token '='</c>).</param>
/// <param name="Line">1-based line in the admin's text.</param>
/// <param name="Column">1-based column in the admin's text.</param>
internal sealed record ScriptCheck(string? Error, int? Line = null, int? Column = null)
{
    public static readonly ScriptCheck Valid = new((string?)null);

    public bool IsValid => Error is null;
}

/// <summary>
/// Runs response-mapping scripts in Jint with every limit of hardening.md on. The host keeps one instance (a singleton):
/// it owns the cache of prepared scripts, and each run gets a fresh <see cref="Engine"/>, so nothing a script does
/// (prototype changes, globals) survives into another run. Script faults never throw; they come back as <see cref="ScriptResult.Error"/>.
/// </summary>
internal sealed class ScriptRunner(ScriptOptions options)
{
    /// <summary>Upper bound of the prepared-script cache; past it the cache starts over (re-parsing is cheap, unbounded growth is not).</summary>
    internal const int MaxCachedScripts = 1000;

    /// <summary>Cap of one log line and of an error text (a script can throw or log a megabyte of text).</summary>
    private const int MaxLogLineLength = 1000;
    private const string SourceName = "script";

    // The admin writes the BODY of a function (the spec's examples end in a top-level `return`). The prefix stays on
    // the admin's first line so line numbers are the admin's own (only first-line columns move, by Prefix.Length);
    // the suffix starts a new line so a trailing `// comment` cannot swallow it.
    private const string Prefix = "(function () {";
    private const string Suffix = "\n})()";

    private readonly ScriptOptions _options = Validated(options);
    private readonly ConcurrentDictionary<string, PreparedEntry> _cache = new(StringComparer.Ordinal);
    private int _parseCount;
    private int _timeZonesReleased;

    /// <summary>How many sources were prepared (cache misses, each parsed as written and wrapped); lets tests see that a script is prepared once.</summary>
    internal int ParseCount => Volatile.Read(ref _parseCount);

    /// <summary>Checks a script at flow-save time: its length and its syntax, with the admin's line and column.</summary>
    public ScriptCheck Check(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return CheckLength(source) ?? GetOrPrepare(source).Check;
    }

    /// <summary>Runs a script against one response. Never throws for a script fault; see <see cref="ScriptResult.Error"/>.</summary>
    /// <param name="cancellationToken">The caller's own deadline (e.g. the block's limit); it ends the run as "cancelled".</param>
    public ScriptResult Run(string source, ScriptInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(input);

        var log = new ScriptLog(_options.MaxLogLines);
        if (CheckLength(source) is { } tooLong)
            return ScriptResult.Failed(tooLong.Error!, log.Lines);

        var entry = GetOrPrepare(source);
        if (entry.Script is not { } prepared)
            return ScriptResult.Failed(entry.Check.Error!, log.Lines);

        // Outer deadline over the whole script phase (building the inputs, running, reading the result), as a backstop
        // behind Jint's own time limit. It is generous so a cold start's JIT is not mistaken for a slow script.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(OuterDeadline);
        try
        {
            using var engine = CreateEngine(deadline.Token);
            var effects = new ScriptEffects(engine, log);
            InstallGlobals(engine, input, effects, deadline.Token);
            var returned = engine.Evaluate(prepared);
            return ReadReturnValue(returned, effects);
        }
        // Every fault a script can cause ends here, including those Jint raises outside the script's own try/catch
        // (regex timeouts, limits); anything unexpected is reported too rather than taking the conversation down.
        catch (Exception ex)
        {
            return ScriptResult.Failed(Describe(ex, cancellationToken), log.Lines);
        }
    }

    private TimeSpan OuterDeadline =>
        _options.Timeout + TimeSpan.FromTicks(Math.Max(_options.Timeout.Ticks, TimeSpan.TicksPerSecond));

    private static ScriptOptions Validated(ScriptOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        return problems.Count == 0
            ? options
            : throw new ArgumentException("Invalid script options: " + string.Join(" ", problems), nameof(options));
    }

    private ScriptCheck? CheckLength(string source) =>
        source.Length > _options.MaxSourceLength
            ? new ScriptCheck($"script is {source.Length} characters long; the limit is {_options.MaxSourceLength}")
            : null;

    // ---- preparation (parse once per source text) ----

    private sealed record PreparedEntry(Prepared<Script>? Script, ScriptCheck Check);

    private PreparedEntry GetOrPrepare(string source)
    {
        if (_cache.TryGetValue(source, out var entry))
            return entry;
        if (_cache.Count >= MaxCachedScripts)
            _cache.Clear();
        return _cache.GetOrAdd(source, Prepare);
    }

    private PreparedEntry Prepare(string source)
    {
        Interlocked.Increment(ref _parseCount);

        // First the admin's text as written (a top-level `return` allowed), only to report a syntax error where the
        // admin sees it: inside the wrapper e.g. a missing `}` would be reported on the wrapper's last line.
        var asWritten = new ScriptPreparationOptions
        {
            StaticAnalysis = false,
            ParsingOptions = new ScriptParsingOptions { AllowReturnOutsideFunction = true, RegexTimeout = _options.RegexTimeout },
        };
        var asWrittenCheck = TryPrepare(source, asWritten, wrapped: false, out _);
        ReleaseTimeZonesOnce();
        if (!asWrittenCheck.IsValid)
            return new PreparedEntry(null, asWrittenCheck);

        // Then the runnable form, with the static analysis that makes repeated runs cheap. The regex timeout is set
        // here too because a source's own setting outranks the engine's for the regexes it produces.
        var runnable = new ScriptPreparationOptions
        {
            ParsingOptions = new ScriptParsingOptions { RegexTimeout = _options.RegexTimeout },
        };
        var check = TryPrepare(Prefix + source + Suffix, runnable, wrapped: true, out var prepared);
        return new PreparedEntry(check.IsValid ? prepared : null, check);
    }

    /// <summary>
    /// Jint's first use (its Temporal time-zone provider, built as a static of the default options) reads every time
    /// zone of the system through <see cref="TimeZoneInfo.GetSystemTimeZones()"/> only to copy their names, and
    /// TimeZoneInfo's process-wide cache then keeps all ~420 zones with their adjustment rules, 3.2 MB, for good.
    /// Handing the cache back once, right after (a syntax error still went through that first use), costs a later
    /// lookup one zone file. Kept, those objects were the generation-1 survivors the GC sized generation 1's budget on:
    /// peak RSS under load 228–229 MB, 195–197 MB without them (docs/benchmarks.md, "Sixth pass"). Every use of Jint
    /// goes through a preparation first, so this is the place.
    /// </summary>
    private void ReleaseTimeZonesOnce()
    {
        if (Interlocked.Exchange(ref _timeZonesReleased, 1) == 0)
            TimeZoneInfo.ClearCachedData();
    }

    private static ScriptCheck TryPrepare(string code, ScriptPreparationOptions preparation, bool wrapped, out Prepared<Script> prepared)
    {
        try
        {
            prepared = Engine.PrepareScript(code, SourceName, strict: true, preparation);
            return ScriptCheck.Valid;
        }
        catch (Exception ex) when (FindParseError(ex) is { } parseError)
        {
            prepared = default;
            var (line, column) = ToAdminPosition(parseError.LineNumber, parseError.Column, wrapped);
            return new ScriptCheck($"line {line}, column {column}: {parseError.Description}", line, column);
        }
    }

    private static ParseErrorException? FindParseError(Exception ex) =>
        ex as ParseErrorException ?? ex.InnerException as ParseErrorException;

    /// <summary>Jint/Acornima positions are 1-based lines and 0-based columns in the wrapped text.</summary>
    private static (int Line, int Column) ToAdminPosition(int line, int zeroBasedColumn, bool wrapped)
    {
        var column = zeroBasedColumn + 1;
        if (wrapped && line == 1)
            column -= Prefix.Length;
        return (Math.Max(line, 1), Math.Max(column, 1));
    }

    // ---- one run ----

    private Engine CreateEngine(CancellationToken deadline) => new(o =>
    {
        o.Strict();
        // eval, new Function(...), and the async/generator Function constructors and ShadowRealm.evaluate with them.
        o.DisableStringCompilation();
        o.TimeoutInterval(_options.Timeout);
        o.MaxStatements(_options.MaxStatements);
        o.LimitMemory(_options.MemoryLimitBytes);
        o.LimitRecursion(_options.MaxRecursionDepth);
        o.CancellationToken(deadline);
        o.Constraints.RegexTimeout = _options.RegexTimeout;
        // Off by default in Jint 4.18. The recursion limit counts script function calls, but built-ins recurse in .NET
        // with no script call to count (JSON.stringify, String() or flat() of a deeply nested array): without the
        // guard that ends the host with a native StackOverflow, with it the script gets a RangeError.
        // MaxExecutionStackCount stays unset on purpose: setting it replaces this guard with a call-expression count.
        o.Constraints.StackOverflowGuard = true;
        // On by default: Atomics.wait would block this thread for as long as the script asks, past every time limit.
        o.AgentCanSuspend = false;
        // No AllowClr and no interop: the script sees JS values only, never a .NET type, assembly or delegate.
        o.Interop.Enabled = false;
        // The server's culture must not change how a script formats numbers and dates.
        o.Culture = CultureInfo.InvariantCulture;
    });

    private static void InstallGlobals(Engine engine, ScriptInput input, ScriptEffects effects, CancellationToken deadline)
    {
        var values = new JsValueBuilder(engine, deadline);
        DefineGlobal(engine, "response", values.Build(input.Response, freeze: false));
        DefineGlobal(engine, "contact", values.Build(input.Contact, freeze: true));
        DefineGlobal(engine, "vars", values.Build(input.Vars, freeze: true));
        DefineGlobal(engine, "setField", new ClrFunction(engine, "setField", effects.SetField, length: 2));
        DefineGlobal(engine, "setVar", new ClrFunction(engine, "setVar", effects.SetVar, length: 2));
        DefineGlobal(engine, "log", new ClrFunction(engine, "log", effects.Log, length: 1));
    }

    /// <summary>Read-only globals: in strict mode assigning one is a TypeError instead of silently replacing the API.</summary>
    private static void DefineGlobal(Engine engine, string name, JsValue value) =>
        engine.Global.DefineOwnProperty(name, new PropertyDescriptor(value, writable: false, enumerable: false, configurable: false));

    private static ScriptResult ReadReturnValue(JsValue returned, ScriptEffects effects)
    {
        string? outcome = null, message = null;
        switch (returned)
        {
            case JsUndefined or JsNull:
                break;
            case JsString text:
                outcome = ParseOutcome(text.ToString(), "script returned", out var outcomeError);
                if (outcomeError is not null)
                    return ScriptResult.Failed(outcomeError, effects.LogLines);
                break;
            case JsObject result:
                // Own data properties only: an inherited or getter-made `outcome` is not the script's answer.
                var outcomeValue = PlainValues.OwnData(result, "outcome");
                if (outcomeValue is JsString outcomeText)
                {
                    outcome = ParseOutcome(outcomeText.ToString(), "script returned outcome", out outcomeError);
                    if (outcomeError is not null)
                        return ScriptResult.Failed(outcomeError, effects.LogLines);
                }
                else if (outcomeValue is not (JsUndefined or JsNull))
                {
                    return ScriptResult.Failed("the returned object's outcome must be 'success' or 'failure'", effects.LogLines);
                }

                var messageValue = PlainValues.OwnData(result, "message");
                if (messageValue is ObjectInstance)
                    return ScriptResult.Failed("the returned object's message must be text", effects.LogLines);
                if (messageValue is not (JsUndefined or JsNull))
                    message = messageValue.ToString();
                break;
            default:
                return ScriptResult.Failed(
                    $"script returned {PlainValues.Describe(returned)}; expected 'success', 'failure' or {{ outcome, message }}",
                    effects.LogLines);
        }

        return new ScriptResult
        {
            Outcome = outcome,
            Message = message,
            FieldsSet = effects.Fields,
            VarsSet = effects.Vars,
            Log = effects.LogLines,
        };
    }

    private static string? ParseOutcome(string text, string what, out string? error)
    {
        error = text is "success" or "failure" ? null : $"{what} '{text}'; expected 'success' or 'failure'";
        return error is null ? text : null;
    }

    // ---- errors ----

    private string Describe(Exception ex, CancellationToken callerToken)
    {
        var timeLimit = $"time limit of {_options.Timeout.TotalMilliseconds:0} ms exceeded";
        var text = ex switch
        {
            // RegexMatchTimeoutException is a TimeoutException, so it goes first.
            RegexMatchTimeoutException => $"regular expression timed out after {_options.RegexTimeout.TotalMilliseconds:0} ms",
            TimeoutException => timeLimit,
            StatementsCountOverflowException => $"statement limit of {_options.MaxStatements} reached",
            MemoryLimitExceededException => $"memory limit of {_options.MemoryLimitBytes} bytes exceeded",
            RecursionDepthOverflowException => $"recursion depth limit of {_options.MaxRecursionDepth} exceeded",
            ExecutionCanceledException or OperationCanceledException when callerToken.IsCancellationRequested => "script run was cancelled",
            ExecutionCanceledException or OperationCanceledException => timeLimit,
            InsufficientExecutionStackException => "RangeError: Maximum call stack size exceeded",
            JavaScriptException js => DescribeThrown(js),
            UnsupportedInputException => $"the host gave the script unsupported data: {ex.Message}",
            _ when FindParseError(ex) is { } parseError => parseError.Description,
            _ => $"script failed: {ex.GetType().Name}: {ex.Message}",
        };

        // The location is the admin's line and column, where Jint knows it (errors, time limit, regex timeout).
        if (JintException.TryGetJavaScriptLocation(ex, out var location)
            && location.Start.Line > 0
            && string.Equals(location.SourceFile, SourceName, StringComparison.Ordinal))
        {
            var (line, column) = ToAdminPosition(location.Start.Line, location.Start.Column, wrapped: true);
            text = $"line {line}, column {column}: {text}";
        }
        return Cut(text);
    }

    private static string Cut(string text) =>
        text.Length <= MaxLogLineLength ? text : string.Concat(text.AsSpan(0, MaxLogLineLength), "…");

    /// <summary>
    /// Jint computes the exception's message while the script still runs (under its limits), so reading it is safe;
    /// the error's name is read from own data properties only, so no script code (getter, Proxy trap) runs afterwards.
    /// </summary>
    private static string DescribeThrown(JavaScriptException ex)
    {
        switch (ex.Error)
        {
            case ErrorInstance error:
                var name = PlainValues.ErrorName(error);
                return ex.Message.Length == 0 ? name : $"{name}: {ex.Message}";
            case JsObject thrown:
                return PlainValues.OwnData(thrown, "message") is JsString message
                    ? $"uncaught exception: {message}"
                    : "uncaught exception (an object that is not an Error)";
            case ObjectInstance:
                return "uncaught exception (an object that is not an Error)";
            default:
                return $"uncaught exception: {ex.Message}";
        }
    }

    /// <summary>Host data the script cannot be given (a type outside the plain-data contract, or nested too deeply).</summary>
    private sealed class UnsupportedInputException(string message) : Exception(message);

    // ---- host data -> JS values ----

    /// <summary>
    /// Builds JS values by walking plain host data, so the script gets no CLR object (no interop surface) and the
    /// memory limit is not spent on parsing: these allocations happen before the run starts counting.
    /// </summary>
    private sealed class JsValueBuilder(Engine engine, CancellationToken deadline)
    {
        // Responses are parsed with MaxDepth 64 (hardening.md); this only protects the host's stack from a bad caller.
        private const int MaxDepth = 128;
        private JsValue? _freeze;

        public JsValue Build(object? value, bool freeze) => Build(value, freeze, depth: 0);

        private JsValue Build(object? value, bool freeze, int depth)
        {
            switch (value)
            {
                case null: return JsValue.Null;
                case JsValue: throw new UnsupportedInputException("a live JS value");
                case string s: return new JsString(s);
                case bool b: return b ? JsBoolean.True : JsBoolean.False;
                case char c: return new JsString(c);
                case long l: return JsNumber.Create(l);
                case int i: return JsNumber.Create(i);
                case double d: return JsNumber.Create(d);
                case decimal m: return JsNumber.Create(m);
                case float f: return JsNumber.Create(f);
                case short or byte or sbyte or ushort or uint or ulong:
                    return JsNumber.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                case DateTimeOffset dto: return new JsString(dto.ToString("O", CultureInfo.InvariantCulture));
                case DateTime dt: return new JsString(dt.ToString("O", CultureInfo.InvariantCulture));
                case Guid g: return new JsString(g.ToString());
            }

            if (depth >= MaxDepth)
                throw new UnsupportedInputException($"data nested deeper than {MaxDepth} levels");
            deadline.ThrowIfCancellationRequested();

            ObjectInstance container = value switch
            {
                IReadOnlyDictionary<string, object?> map => BuildObject(map, freeze, depth),
                IDictionary map => BuildObject(StringKeyed(map), freeze, depth),
                IEnumerable list => new JsArray(engine, list.Cast<object?>().Select(item => Build(item, freeze, depth + 1)).ToArray()),
                _ => throw new UnsupportedInputException($"values of type {value.GetType().Name}"),
            };
            if (freeze)
                engine.Call(_freeze ??= engine.Intrinsics.Object.Get("freeze"), container);
            return container;
        }

        private JsObject BuildObject(IEnumerable<KeyValuePair<string, object?>> map, bool freeze, int depth)
        {
            var obj = new JsObject(engine);
            // CreateDataProperty defines an own property, so a key such as "__proto__" stays data, never a prototype.
            foreach (var (key, item) in map)
                obj.CreateDataProperty(key, Build(item, freeze, depth + 1));
            return obj;
        }

        private static IEnumerable<KeyValuePair<string, object?>> StringKeyed(IDictionary map)
        {
            foreach (DictionaryEntry entry in map)
            {
                yield return entry.Key is string key
                    ? new KeyValuePair<string, object?>(key, entry.Value)
                    : throw new UnsupportedInputException($"a dictionary key of type {entry.Key.GetType().Name}");
            }
        }
    }

    // ---- the script API: setField, setVar, log ----

    /// <summary>Collects what one run asked the host to do. Each value is copied to plain data when it is set.</summary>
    private sealed class ScriptEffects(Engine engine, ScriptLog log)
    {
        public Dictionary<string, object?> Fields { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, object?> Vars { get; } = new(StringComparer.Ordinal);
        public IReadOnlyList<string> LogLines => log.Lines;

        public JsValue SetField(JsValue thisObject, JsValue[] arguments) => Set("setField", Fields, arguments);

        public JsValue SetVar(JsValue thisObject, JsValue[] arguments) => Set("setVar", Vars, arguments);

        public JsValue Log(JsValue thisObject, JsValue[] arguments)
        {
            // Lines past the cap are only counted, so their arguments are not even converted.
            log.Add(log.IsFull ? string.Empty : CappedLine(arguments));
            return JsValue.Undefined;
        }

        /// <summary>
        /// String(x) of each argument, joined with spaces like console.log, built only up to the line cap: joining
        /// first could copy a big string many times over (<c>log.apply(null, manyReferencesToOneBigString)</c>).
        /// Coercion may run the script's own toString, which is fine: the run and its limits are still on.
        /// </summary>
        private static string CappedLine(JsValue[] arguments)
        {
            var line = new StringBuilder();
            foreach (var argument in arguments)
            {
                if (line.Length > 0)
                    line.Append(' ');
                var room = MaxLogLineLength + 1 - line.Length; // one extra character tells ScriptLog to mark the cut
                if (room <= 0)
                    break;
                var text = TypeConverter.ToString(argument);
                line.Append(text, 0, Math.Min(text.Length, room));
            }
            return line.ToString();
        }

        private JsValue Set(string function, Dictionary<string, object?> target, JsValue[] arguments)
        {
            var key = arguments.Length > 0 ? arguments[0] : JsValue.Undefined;
            if (key is not JsString || string.IsNullOrWhiteSpace(key.ToString()))
                throw TypeError($"{function}: the key must be a non-empty string");
            var value = arguments.Length > 1 ? arguments[1] : JsValue.Undefined;
            if (!PlainValues.TryToPlain(value, out var plain, out var problem))
                throw TypeError($"{function}('{Cut(key.ToString())}'): {problem}");
            target[key.ToString()] = plain;
            return JsValue.Undefined;
        }

        /// <summary>A TypeError the script sees at the call's line (and may catch).</summary>
        private JavaScriptException TypeError(string message) => new(engine.Intrinsics.TypeError, message);
    }

    /// <summary>Log lines, capped in number and length; the last line says how many were dropped.</summary>
    private sealed class ScriptLog(int maxLines)
    {
        private readonly List<string> _lines = [];
        private int _dropped;

        public IReadOnlyList<string> Lines =>
            _dropped == 0 ? _lines.ToArray() : [.. _lines, $"({_dropped} more log lines dropped; the limit is {maxLines})"];

        public bool IsFull => _lines.Count >= maxLines;

        public void Add(string line)
        {
            if (IsFull)
            {
                _dropped++;
                return;
            }
            _lines.Add(Cut(line));
        }
    }
}

/// <summary>
/// Reads JS values back as plain data without running script code: own data properties of ordinary objects and
/// arrays only, never getters, inherited properties or Proxy traps.
/// </summary>
internal static class PlainValues
{
    /// <summary>Deep enough for any sensible field value; also what stops a cyclic structure.</summary>
    private const int MaxDepth = 64;

    /// <summary>
    /// Values (array items, properties, leaves) one conversion may produce. Converting is host code between two of
    /// Jint's limit checks, so it needs its own bound: a sparse <c>a[1e9] = 1</c> would otherwise become a billion nulls,
    /// and an array holding the same big array many times would be copied that many times.
    /// </summary>
    internal const int MaxValues = 100_000;

    /// <summary>An own data property's value, or undefined (missing, inherited or an accessor).</summary>
    public static JsValue OwnData(ObjectInstance obj, JsValue name) =>
        obj.GetOwnProperty(name) is { } property && property.IsDataDescriptor() ? property.Value ?? JsValue.Undefined : JsValue.Undefined;

    /// <summary>Copies a value the script handed to the host; <paramref name="problem"/> says why it could not.</summary>
    public static bool TryToPlain(JsValue value, out object? plain, out string? problem)
    {
        try
        {
            plain = new Walk().ToPlain(value, depth: 0);
            problem = null;
            return true;
        }
        catch (NotPlainException ex)
        {
            plain = null;
            problem = ex.Message;
            return false;
        }
    }

    private sealed class NotPlainException(string message) : Exception(message);

    private sealed class Walk
    {
        private int _remaining = MaxValues;

        public object? ToPlain(JsValue value, int depth)
        {
            EnsureRoomFor(1);
            _remaining--;
            switch (value)
            {
                case JsUndefined or JsNull: return null;
                case JsBoolean: return value.AsBoolean();
                case JsString: return value.ToString();
                // NaN and infinities become null, as JSON.stringify does: the host stores JSON.
                case JsNumber: return double.IsFinite(value.AsNumber()) ? value.AsNumber() : null;
            }

            if (depth >= MaxDepth)
                throw new NotPlainException($"the value is nested deeper than {MaxDepth} levels (or refers to itself)");

            switch (value)
            {
                case JsArray array:
                    // Checked before the loop: the length of a sparse array costs the script nothing.
                    EnsureRoomFor(array.Length);
                    var list = new List<object?>((int)array.Length);
                    for (uint i = 0; i < array.Length; i++)
                        list.Add(ToPlain(OwnData(array, new JsNumber(i)), depth + 1));
                    return list;
                case JsObject obj:
                    var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var key in obj.GetOwnPropertyKeys(Types.String))
                    {
                        if (obj.GetOwnProperty(key) is { Enumerable: true } property && property.IsDataDescriptor())
                            map[key.ToString()] = ToPlain(property.Value ?? JsValue.Undefined, depth + 1);
                    }
                    return map;
                default:
                    throw new NotPlainException(
                        $"{Describe(value)} cannot be stored; use text, a number, true/false, null, an array or a plain object");
            }
        }

        private void EnsureRoomFor(uint count)
        {
            if (count > _remaining)
                throw new NotPlainException($"the value has more than {MaxValues} items");
        }
    }

    /// <summary>The error's name from the first own data <c>name</c> up its prototype chain, through Error objects only.</summary>
    public static string ErrorName(ErrorInstance error)
    {
        // Built-in error prototypes are ErrorInstance or live in Jint.Native.Error; anything else (a Proxy spliced
        // into the chain) could run script code, so the walk stops there.
        ObjectInstance? current = error;
        for (var hop = 0; hop < 8 && current is not null && IsErrorOrOrdinary(current); hop++)
        {
            if (OwnData(current, "name") is JsString name && name.Length > 0)
                return name.ToString();
            current = current.Prototype;
        }
        return "Error";
    }

    private static bool IsErrorOrOrdinary(ObjectInstance obj) =>
        obj is ErrorInstance or JsObject
        || string.Equals(obj.GetType().Namespace, typeof(ErrorInstance).Namespace, StringComparison.Ordinal);

    /// <summary>A short name for a value's kind, for messages to the admin.</summary>
    public static string Describe(JsValue value) => value switch
    {
        JsString s => $"'{s}'",
        JsNumber or JsBoolean => value.ToString(),
        JsArray => "an array",
        _ when value.IsCallable() => "a function",
        _ when value.IsPromise() => "a Promise (async code is not awaited)",
        _ when value.IsDate() => "a Date",
        _ when value.IsSymbol() => "a symbol",
        _ when value.IsBigInt() => "a BigInt",
        JsObject => "a plain object",
        _ => "an object that is not plain data",
    };
}
