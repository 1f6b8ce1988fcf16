using System.Diagnostics;
using System.Reflection;
using BotFlow.Plugins.Integration.Scripts;

namespace BotFlow.Plugins.Integration.Tests.Scripts;

public class ScriptRunnerTests
{
    // The spec's example (integration-block.md, "Response-mapping script").
    private const string SpecExample = """
        if (response.status === 200 && response.body && response.body._id) {
          setField('deal_id', response.body._id);
          return 'success';
        }
        log('unexpected response ' + response.status);
        return 'failure';
        """;

    private static ScriptInput Input(
        object? body = null,
        long status = 200,
        IReadOnlyDictionary<string, object?>? contact = null,
        IReadOnlyDictionary<string, object?>? vars = null,
        string text = "") =>
        new(
            new Dictionary<string, object?>
            {
                ["status"] = status,
                ["headers"] = new Dictionary<string, object?> { ["content-type"] = "application/json" },
                ["body"] = body,
                ["text"] = text,
                ["elapsedMs"] = 12L,
                ["error"] = null,
            },
            contact ?? new Dictionary<string, object?> { ["name"] = "Ana" },
            vars ?? new Dictionary<string, object?>());

    private static ScriptResult Run(string source, ScriptInput? input = null, ScriptOptions? options = null) =>
        new ScriptRunner(options ?? new ScriptOptions()).Run(source, input ?? Input());

    /// <summary>Generous limits except the one under test, so that limit is the one that trips.</summary>
    private static ScriptOptions Generous() => new()
    {
        Timeout = TimeSpan.FromSeconds(5),
        MaxStatements = 50_000_000,
        MemoryLimitBytes = 500_000_000,
    };

    [Fact]
    public void Returns_success_and_sets_field()
    {
        var result = Run(SpecExample, Input(new Dictionary<string, object?> { ["_id"] = "abc123" }));

        Assert.Null(result.Error);
        Assert.Equal("success", result.Outcome);
        Assert.Equal("abc123", result.FieldsSet["deal_id"]);
        Assert.Empty(result.Log);
    }

    [Fact]
    public void Returns_failure_and_logs_when_the_response_is_unexpected()
    {
        var result = Run(SpecExample, Input(body: "Internal error", status: 500));

        Assert.True(result.Succeeded);
        Assert.Equal("failure", result.Outcome);
        Assert.Empty(result.FieldsSet);
        Assert.Equal(["unexpected response 500"], result.Log);
    }

    [Fact]
    public void Returns_object_with_outcome_and_message()
    {
        var result = Run("return { outcome: 'failure', message: 'CRM said ' + response.status };", Input(status: 422));

        Assert.True(result.Succeeded);
        Assert.Equal("failure", result.Outcome);
        Assert.Equal("CRM said 422", result.Message);
    }

    [Fact]
    public void Returning_nothing_leaves_the_outcome_to_the_status()
    {
        var result = Run("setVar('seen', true);");

        Assert.True(result.Succeeded);
        Assert.Null(result.Outcome);
        Assert.Equal(true, result.VarsSet["seen"]);
    }

    [Fact]
    public void Returning_other_text_is_an_error()
    {
        var result = Run("return 'ok';");

        Assert.Equal("script returned 'ok'; expected 'success' or 'failure'", result.Error);
        Assert.Null(result.Outcome);
    }

    [Fact]
    public void Values_set_are_converted_to_plain_data()
    {
        var result = Run("""
            setField('deal', { id: 7, tags: ['a', true, null], owner: { name: 'Bia' } });
            setVar('count', 3);
            var rejected = 0;
            try { setField('f', function () {}); } catch (e) { rejected++; }
            try { setField('p', new Proxy({}, {})); } catch (e) { rejected++; }
            try { setVar('', 1); } catch (e) { rejected++; }
            try { var sparse = []; sparse[1e9] = 1; setVar('sparse', sparse); } catch (e) { rejected++; }
            setVar('rejected', rejected);
            """);

        Assert.Null(result.Error);
        var deal = Assert.IsType<Dictionary<string, object?>>(result.FieldsSet["deal"]);
        Assert.Equal(7.0, deal["id"]);
        Assert.Equal(new List<object?> { "a", true, null }, deal["tags"]);
        Assert.Equal("Bia", Assert.IsType<Dictionary<string, object?>>(deal["owner"])["name"]);
        Assert.Equal(3.0, result.VarsSet["count"]);
        Assert.Equal(4.0, result.VarsSet["rejected"]);
        Assert.Equal(["deal"], result.FieldsSet.Keys);
    }

    // What Brazilian mapping scripts do with an amount and a name: format it as reais, strip accents for a matching key,
    // sort names as people read them. All three need ICU's data (in invariant globalization mode: "R$1,234.50", "ação",
    // "é" after "z"); IntegrationEndpointTests checks the same on the real host process, under the host's runtime config.
    [Fact]
    public void Locale_aware_formatting_normalisation_and_comparison_work_in_scripts()
    {
        var result = Run("""
            setVar('valor', (1234.5).toLocaleString('pt-BR', { style: 'currency', currency: 'BRL' }).replace(/\u00a0/g, ' '));
            setVar('chave', 'Ação Éclair'.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase());
            setVar('ordem', ['zebra', 'égua', 'fada'].sort(function (a, b) { return a.localeCompare(b, 'pt-BR'); }).join(','));
            """);

        Assert.Null(result.Error);
        Assert.Equal("R$ 1.234,50", result.VarsSet["valor"]);
        Assert.Equal("acao eclair", result.VarsSet["chave"]);
        Assert.Equal("égua,fada,zebra", result.VarsSet["ordem"]);
    }

    [Fact]
    public void Empty_key_is_an_error_at_the_calling_line()
    {
        var result = Run("var ok = 1;\nsetField('', 1);");

        Assert.StartsWith("line 2, column 1: TypeError: setField: the key must be a non-empty string", result.Error);
        Assert.Empty(result.FieldsSet);
    }

    [Fact]
    public void Syntax_error_reports_line_and_column()
    {
        var runner = new ScriptRunner(new ScriptOptions());
        const string source = "var a = 1;\nvar b = 2;\n    var = 3;";

        var check = runner.Check(source);

        Assert.False(check.IsValid);
        Assert.Equal(3, check.Line);
        Assert.Equal(9, check.Column);
        Assert.Equal("line 3, column 9: Unexpected token '='", check.Error);
        Assert.Equal(check.Error, runner.Run(source, Input()).Error);
    }

    [Fact]
    public void Syntax_error_on_the_first_line_reports_the_admins_column()
    {
        var check = new ScriptRunner(new ScriptOptions()).Check("let x = ;");

        Assert.Equal("line 1, column 9: Unexpected token ';'", check.Error);
    }

    [Fact]
    public void Missing_brace_is_reported_inside_the_admins_text()
    {
        var check = new ScriptRunner(new ScriptOptions()).Check("if (response.status === 200) {\n  return 'success';");

        Assert.False(check.IsValid);
        Assert.True(check.Line <= 2, check.Error);
    }

    [Fact]
    public void Valid_script_passes_the_check()
    {
        Assert.True(new ScriptRunner(new ScriptOptions()).Check(SpecExample).IsValid);
    }

    [Fact]
    public void Runtime_error_reports_line()
    {
        var result = Run("var a = 1;\nvar b = x + 1;\nreturn 'success';");

        Assert.Equal("line 2, column 9: ReferenceError: x is not defined", result.Error);
    }

    [Fact]
    public void Runtime_error_on_the_first_line_reports_the_admins_column()
    {
        var result = Run("var b = x;");

        Assert.Equal("line 1, column 9: ReferenceError: x is not defined", result.Error);
    }

    [Fact]
    public void Thrown_error_keeps_its_name_and_message()
    {
        var result = Run("\n  throw new RangeError('too far');");

        Assert.Equal("line 2, column 9: RangeError: too far", result.Error); // Jint places it at the `new` that created the error
    }

    [Fact]
    public void Huge_error_text_is_cut()
    {
        var result = Run("throw new Error('x'.repeat(100000));");

        Assert.StartsWith("line 1, column 7: Error: xxx", result.Error);
        Assert.Equal(1001, result.Error!.Length);
    }

    [Fact]
    public void Infinite_loop_is_stopped_by_the_statement_limit()
    {
        var result = Run("while (true) {}");

        Assert.Contains("statement limit of 10000 reached", result.Error);
    }

    [Fact]
    public void Infinite_loop_is_stopped_by_the_time_limit()
    {
        var options = Generous();
        options.Timeout = TimeSpan.FromMilliseconds(50);
        var watch = Stopwatch.StartNew();

        var result = Run("while (true) {}", options: options);

        Assert.Contains("time limit of 50 ms exceeded", result.Error);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Memory_bomb_is_stopped()
    {
        var options = Generous();
        options.MemoryLimitBytes = 4_000_000;

        var result = Run("var a = []; while (true) { a.push('x'.repeat(100) + a.length); }", options: options);

        Assert.Contains("memory limit of 4000000 bytes exceeded", result.Error);
    }

    [Fact]
    public void Deep_recursion_is_a_clean_error()
    {
        var runner = new ScriptRunner(new ScriptOptions());

        var result = runner.Run("function f() { f(); }\nf();", Input());

        Assert.Contains("recursion depth limit of 64 exceeded", result.Error);
        Assert.Equal("success", runner.Run("return 'success';", Input()).Outcome); // the host is alive and well
    }

    [Fact]
    public void Native_recursion_is_stopped_by_the_stack_guard()
    {
        // JSON.stringify of a deeply nested array recurses in .NET without any script call for the depth limit to
        // count; on a small stack this would kill the process without Jint's StackOverflowGuard.
        var options = Generous();
        ScriptResult? result = null;
        var thread = new Thread(
            () => result = Run("var a = []; for (var i = 0; i < 20000; i++) { a = [a]; }\nreturn JSON.stringify(a);", options: options),
            maxStackSize: 512 * 1024);

        thread.Start();
        thread.Join();

        Assert.NotNull(result);
        Assert.Contains("RangeError: Maximum call stack size exceeded", result.Error);
    }

    [Fact]
    public void Clr_types_are_not_reachable()
    {
        var result = Run("""
            var found = [];
            ['importNamespace', 'System', 'host', 'clr', 'require', 'process', 'Packages', 'importClass', 'clrHelper']
              .forEach(function (name) { if (typeof globalThis[name] !== 'undefined') found.push(name); });
            if (typeof response.GetType !== 'undefined' || typeof setField.GetType !== 'undefined') found.push('GetType');
            if (Object.getOwnPropertyNames(setField).join() !== 'length,name') found.push('setField members');
            if (Object.getPrototypeOf(setField) !== Function.prototype) found.push('setField prototype');
            try { setField.constructor('return this')(); found.push('Function via constructor'); } catch (e) {}
            try { response.constructor.constructor('return importNamespace')(); found.push('Function via response'); } catch (e) {}
            setVar('found', found.join(','));
            """);

        Assert.Null(result.Error);
        Assert.Equal("", result.VarsSet["found"]);
    }

    [Fact]
    public void Eval_and_Function_constructor_are_refused()
    {
        var counted = Run("""
            var refused = 0;
            try { eval('1 + 1'); } catch (e) { refused++; }
            try { new Function('return 1')(); } catch (e) { refused++; }
            try { (async function () {}).constructor('return 1'); } catch (e) { refused++; }
            try { (function* () {}).constructor('return 1'); } catch (e) { refused++; }
            try { new ShadowRealm().evaluate('1 + 1'); } catch (e) { refused++; }
            setVar('refused', refused);
            """);
        var uncaught = Run("var a = 1;\neval('a + 1');");

        Assert.Equal(5.0, counted.VarsSet["refused"]);
        Assert.StartsWith("line 2, column 1: TypeError: String compilation has been disabled", uncaught.Error);
    }

    [Fact]
    public void Catastrophic_regex_is_stopped()
    {
        var options = Generous();
        options.RegexTimeout = TimeSpan.FromMilliseconds(50);
        var watch = Stopwatch.StartNew();

        // The timeout is raised outside the script's own try/catch.
        var result = Run(
            "try { return /^(a+)+$/.test('a'.repeat(40) + '!') ? 'success' : 'failure'; }\ncatch (e) { return 'success'; }",
            options: options);

        Assert.Contains("regular expression timed out after 50 ms", result.Error);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Atomics_wait_cannot_block_the_host()
    {
        var watch = Stopwatch.StartNew();

        var result = Run("Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5000);");

        Assert.Contains("Atomics.wait cannot be used", result.Error);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Prototype_pollution_does_not_leak_between_runs()
    {
        var runner = new ScriptRunner(new ScriptOptions());
        var hostile = new Dictionary<string, object?> { ["__proto__"] = new Dictionary<string, object?> { ["polluted"] = true } };

        var first = runner.Run(
            "Object.prototype.outcome = 'success'; Object.prototype.polluted = true; Array.prototype.polluted = true;\nreturn {};",
            Input(hostile));
        var second = runner.Run(
            """
            var clean = ({}).polluted === undefined && [].polluted === undefined
              && Object.getPrototypeOf(response.body) === Object.prototype && response.body.polluted === undefined;
            return clean ? 'success' : 'failure';
            """,
            Input(hostile));

        Assert.True(first.Succeeded, first.Error);
        Assert.Null(first.Outcome); // an inherited `outcome` is not the script's answer
        Assert.Equal("success", second.Outcome);
    }

    /// <summary>About 1.1 MB as JSON: 50,000 small objects, the dense shape that costs the most to parse.</summary>
    private static List<object?> LargeItems() =>
        Enumerable.Range(0, 50_000)
            .Select(i => (object?)new Dictionary<string, object?> { ["id"] = (long)i, ["ok"] = true })
            .ToList();

    [Fact]
    public void Large_response_is_readable_without_tripping_memory_limit()
    {
        // Handed over as JS values built by the host, before the run's allocation count starts.
        var input = Input(new Dictionary<string, object?> { ["items"] = LargeItems() }, text: new string('x', 1 << 20));

        var result = Run("return response.body.items[49999].id === 49999 && response.text.length === 1048576 ? 'success' : 'failure';", input);

        Assert.Null(result.Error);
        Assert.Equal("success", result.Outcome);
    }

    [Fact]
    public void Parsing_the_same_response_inside_the_script_would_trip_the_memory_limit()
    {
        // Why the host hands `response.body` over already parsed (hardening.md): the limit counts bytes allocated.
        var json = System.Text.Json.JsonSerializer.Serialize(new { items = LargeItems() });

        // A generous time limit, so that on a busy machine it is the memory limit, the subject here, that trips.
        var result = Run("var body = JSON.parse(response.text);\nreturn body.items[49999].id === 49999 ? 'success' : 'failure';", Input(text: json),
            new ScriptOptions { Timeout = TimeSpan.FromSeconds(10) });

        Assert.Contains("memory limit of 4000000 bytes exceeded", result.Error);
    }

    [Fact]
    public void Prepared_script_is_reused()
    {
        var runner = new ScriptRunner(new ScriptOptions());

        Assert.True(runner.Check(SpecExample).IsValid);
        runner.Run(SpecExample, Input());
        runner.Run(SpecExample, Input(status: 500));
        Assert.Equal(1, runner.ParseCount);

        runner.Run("return 'failure';", Input());
        Assert.Equal(2, runner.ParseCount);
    }

    [Theory]
    [InlineData(SpecExample, true)]
    [InlineData("return (;", false)]
    public void First_preparation_hands_back_the_time_zones_Jints_first_use_read(string source, bool valid)
    {
        // Jint's first use in this process (maybe by another test) reads every system time zone once; do it here so
        // no other test can do it between the runner's release and the assertion.
        Assert.True(new ScriptRunner(new ScriptOptions()).Check("return 'success';").IsValid);
        TimeZoneInfo.GetSystemTimeZones();
        Assert.True(AllSystemTimeZonesCached());

        var runner = new ScriptRunner(new ScriptOptions());
        Assert.Equal(valid, runner.Check(source).IsValid);

        Assert.False(AllSystemTimeZonesCached());
        Assert.Equal("America/Sao_Paulo", TimeZoneInfo.FindSystemTimeZoneById("America/Sao_Paulo").Id);
        var dated = runner.Run("setVar('offset', new Date(2020, 0, 1).getTimezoneOffset());\nreturn 'success';", Input());
        Assert.True(dated.Succeeded, dated.Error);
    }

    /// <summary>TimeZoneInfo's own flag for "GetSystemTimeZones filled the cache" (private: there is no public way to ask).</summary>
    private static bool AllSystemTimeZonesCached()
    {
        var cache = typeof(TimeZoneInfo).GetField("s_cachedData", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        return (bool)cache.GetType().GetField("_allSystemTimeZonesRead", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(cache)!;
    }

    [Fact]
    public void Concurrent_runs_share_the_prepared_script_but_nothing_else()
    {
        var runner = new ScriptRunner(new ScriptOptions());
        const string source = "globalThis.seen = (globalThis.seen || 0) + 1;\nsetField('status', response.status);\nsetVar('seen', seen);";
        Assert.True(runner.Check(source).IsValid);

        var results = new ScriptResult[64];
        Parallel.For(0, results.Length, i => results[i] = runner.Run(source, Input(status: i)));

        Assert.All(results, (result, i) =>
        {
            Assert.True(result.Succeeded, result.Error);
            Assert.Equal((double)i, result.FieldsSet["status"]);
            Assert.Equal(1.0, result.VarsSet["seen"]);
        });
        Assert.Equal(1, runner.ParseCount);
    }

    [Fact]
    public void Contact_and_vars_are_read_only()
    {
        var contact = new Dictionary<string, object?> { ["name"] = "Ana", ["tags"] = new List<object?> { "vip" } };
        var vars = new Dictionary<string, object?> { ["step"] = 1L };

        var frozen = Run(
            "return Object.isFrozen(contact) && Object.isFrozen(contact.tags) && Object.isFrozen(vars) ? 'success' : 'failure';",
            Input(contact: contact, vars: vars));
        var assigned = Run("contact.name = 'Eve';", Input(contact: contact, vars: vars));
        var replaced = Run("vars = {};", Input(contact: contact, vars: vars));

        Assert.Equal("success", frozen.Outcome);
        Assert.Contains("TypeError", assigned.Error);
        Assert.Contains("TypeError", replaced.Error);
        Assert.Equal("Ana", contact["name"]);
    }

    [Fact]
    public void Log_is_capped()
    {
        var options = new ScriptOptions { MaxLogLines = 3 };

        var result = Run("for (var i = 0; i < 5; i++) { log('line', i); }", options: options);

        Assert.Equal(["line 0", "line 1", "line 2", "(2 more log lines dropped; the limit is 3)"], result.Log);
    }

    [Fact]
    public void Long_log_lines_are_cut()
    {
        var result = Run("var s = 'x'.repeat(500000); log.apply(null, [s, s, s, s, s, s, s, s]);");

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(new string('x', 1000) + "…", Assert.Single(result.Log));
    }

    [Fact]
    public void Source_longer_than_the_limit_is_refused()
    {
        var runner = new ScriptRunner(new ScriptOptions { MaxSourceLength = 10 });

        Assert.Equal("script is 17 characters long; the limit is 10", runner.Check("return 'success';").Error);
        Assert.Equal("script is 17 characters long; the limit is 10", runner.Run("return 'success';", Input()).Error);
        Assert.Equal(0, runner.ParseCount);
    }

    [Fact]
    public void Cancelled_caller_ends_the_run()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var result = new ScriptRunner(Generous()).Run("while (true) {}", Input(), cancelled.Token);

        Assert.Equal("script run was cancelled", result.Error);
    }

    [Fact]
    public void Options_refuse_unlimited_values()
    {
        var options = new ScriptOptions
        {
            Timeout = TimeSpan.Zero,
            MemoryLimitBytes = 0,
            MaxStatements = -1,
            MaxRecursionDepth = 0,
            RegexTimeout = TimeSpan.FromSeconds(1),
            MaxSourceLength = 0,
            MaxLogLines = 0,
        };

        Assert.Equal(7, options.Validate().Count);
        Assert.Empty(new ScriptOptions().Validate());
        Assert.Throws<ArgumentException>(() => new ScriptRunner(options));
    }
}
