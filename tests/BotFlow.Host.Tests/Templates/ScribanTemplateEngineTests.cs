using BotFlow.Host.Templates;
using BotFlow.Sdk.Templates;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Tests.Templates;

public sealed class ScribanTemplateEngineTests
{
    private readonly ScribanTemplateEngine _engine = new(Options.Create(new TemplateOptions { LoopLimit = 100, OutputLimit = 1000 }));

    private static TemplateScope Scope(object? body = null) => new()
    {
        Contact = new Dictionary<string, object?> { ["name"] = "Ana", ["idade"] = 30m },
        Vars = new Dictionary<string, object?> { ["plano"] = "ouro" },
        Response = new Dictionary<string, object?> { ["status"] = 200L, ["body"] = body },
    };

    private string Render(string template, TemplateScope? scope = null) => _engine.Render(_engine.Parse(template), scope ?? Scope()).Text;

    [Fact]
    public void A_template_assigning_into_a_scope_root_left_unset_gets_a_render_error_with_its_place()
    {
        // Roots a scope leaves unset share one read-only empty map: writing into it is the template's error, not the host's.
        var result = _engine.Render(_engine.Parse("{{ contact.x = 1 }}ok"), new TemplateScope());

        Assert.False(result.Succeeded);
        Assert.StartsWith("line 1, column 4:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Renders_contact_vars_and_response()
    {
        Assert.Equal("Ana ouro 200", Render("{{ contact.name }} {{ vars.plano }} {{ response.status }}"));
    }

    [Fact]
    public void Compatibility_placeholder_reads_the_response_body_by_bracket_path()
    {
        var body = new Dictionary<string, object?> { ["data"] = new Dictionary<string, object?> { ["url"] = "https://pay.example/b/1", ["amount"] = 123.45m } };

        Assert.Equal("Seu boleto: https://pay.example/b/1 (123.45)", Render("Seu boleto: {data[url]} ({data[amount]})", Scope(body)));
    }

    [Fact]
    public void Compatibility_placeholder_renders_objects_as_compact_json_and_arrays_by_index()
    {
        var body = new Dictionary<string, object?>
        {
            ["data"] = new Dictionary<string, object?> { ["a"] = 1L },
            ["items"] = new List<object?> { new Dictionary<string, object?> { ["id"] = "x1" } },
        };

        Assert.Equal("{\"a\":1} x1", Render("{data} {items[0][id]}", Scope(body)));
    }

    [Fact]
    public void Missing_placeholder_path_renders_empty_with_a_warning()
    {
        var result = _engine.Render(_engine.Parse("Link: {data[url]}."), Scope(new Dictionary<string, object?>()));

        Assert.Equal("Link: .", result.Text);
        Assert.Contains(result.Warnings, w => w.Contains("data[url]", StringComparison.Ordinal));
    }

    [Fact]
    public void Json_like_text_in_single_braces_is_left_as_it_is()
    {
        Assert.Equal("envie { \"a\": 1 } ou {x: 2}", Render("envie { \"a\": 1 } ou {x: 2}"));
    }

    [Fact]
    public void A_response_value_is_inserted_as_text_and_never_run_as_a_template()
    {
        var body = new Dictionary<string, object?> { ["evil"] = "{{ contact.name }}" };

        Assert.Equal("{{ contact.name }}", Render("{evil}", Scope(body)));
    }

    [Fact]
    public void Object_eval_is_not_available()
    {
        var result = _engine.Render(_engine.Parse("{{ object.eval \"1 + 1\" }}"), Scope());

        Assert.DoesNotContain("2", result.Text);
    }

    [Fact]
    public void Include_is_refused()
    {
        var result = _engine.Render(_engine.Parse("{{ include 'x' }}"), Scope());

        Assert.False(result.Succeeded && result.Text.Length > 0);
    }

    [Fact]
    public void An_endless_loop_stops_at_the_loop_limit_with_an_error()
    {
        var result = _engine.Render(_engine.Parse("{{ for i in 1..100000 }}x{{ end }}"), Scope());

        Assert.False(result.Succeeded);
        Assert.Contains("loop", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Output_over_the_limit_fails_the_render()
    {
        var result = _engine.Render(_engine.Parse("{{ for i in 1..90 }}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{{ end }}"), Scope());

        Assert.False(result.Succeeded);
        Assert.Equal("", result.Text);
    }

    [Fact]
    public void Net_members_of_values_are_not_visible()
    {
        Assert.Equal("", Render("{{ contact.name.Length }}{{ response.GetType }}"));
    }

    [Fact]
    public void Syntax_errors_carry_line_and_column()
    {
        var template = _engine.Parse("linha 1\n{{ if }}");

        Assert.NotEmpty(template.Errors);
        Assert.Equal(2, template.Errors[0].Line);
    }

    [Fact]
    public void Parsed_templates_are_cached()
    {
        var before = _engine.ParseCount;
        for (var i = 0; i < 10; i++)
        {
            Render("Olá {{ contact.name }}");
        }

        Assert.Equal(before + 1, _engine.ParseCount);
    }

    [Fact]
    public void Conditions_use_scriban_truthiness_over_typed_fields()
    {
        Assert.True(_engine.EvaluateCondition("contact.idade >= 18 && vars.plano == 'ouro'", Scope()));
        Assert.False(_engine.EvaluateCondition("contact.idade < 18", Scope()));
        Assert.Throws<TemplateException>(() => _engine.EvaluateCondition("contact.idade >", Scope()));
    }

    [Fact]
    public void Secrets_resolve_only_where_the_scope_provides_them()
    {
        var withSecrets = new TemplateScope { Secrets = name => name == "token" ? "s3cr3t" : null };

        Assert.Equal("Bearer s3cr3t", Render("Bearer {{ secrets.token }}", withSecrets));
        var withoutSecrets = _engine.Render(_engine.Parse("Bearer {{ secrets.token }}"), Scope());
        Assert.False(withoutSecrets.Succeeded);
        Assert.Contains("not available", withoutSecrets.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_with_member_paths_renders_without_a_scriban_context_after_one_check()
    {
        var before = _engine.ContextCount;
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("Olá, Ana! Plano ouro.", Render("Olá, {{ contact.name }}! Plano {{vars.plano}}."));
        }

        // One context for the first render, which compares the simple render with Scriban's; none after.
        Assert.Equal(before + 1, _engine.ContextCount);
    }

    [Fact]
    public void A_header_with_a_secret_renders_without_a_scriban_context_and_a_missing_secret_still_fails_clearly()
    {
        var withSecrets = new TemplateScope { Secrets = name => name == "token" ? "s3cr3t" : null };
        var before = _engine.ContextCount;
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("Bearer s3cr3t", Render("Bearer {{ secrets.token }}", withSecrets));
        }

        Assert.Equal(before + 1, _engine.ContextCount);
        var missing = _engine.Render(_engine.Parse("Bearer {{ secrets.other }}"), withSecrets);
        Assert.False(missing.Succeeded);
        Assert.Contains("secret 'other' is not defined", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_that_is_not_text_is_rendered_by_scriban()
    {
        var before = _engine.ContextCount;
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("30 anos", Render("{{ contact.idade }} anos"));
        }

        Assert.Equal(before + 3, _engine.ContextCount);
    }

    public static TheoryData<string> SimpleTemplates => new()
    {
        "Olá {{ contact.name }}",
        "{{contact.name}}{{ vars.plano }}",
        "linha 1\n  {{ contact.name }}  \nlinha 3 ✓ ção",
        "{{ vars.missing }}|{{ vars.nested.deep }}|{{ contact.name }}",
        "Seu boleto: {data[url]} — {{ contact.name }}",
        "{{ response.body.data.url }}",
        "sem {chaves} e {x: 1} {{ contact.name }}",
    };

    [Theory]
    [MemberData(nameof(SimpleTemplates))]
    public void The_simple_render_gives_what_scriban_gives_for_other_data(string template)
    {
        static TemplateScope Other() => new()
        {
            Contact = new Dictionary<string, object?> { ["name"] = "José \"Zé\" <b>&amp;" },
            Vars = new Dictionary<string, object?> { ["plano"] = "prata", ["nested"] = new Dictionary<string, object?> { ["deep"] = "fundo" } },
            Response = new Dictionary<string, object?>
            {
                ["body"] = new Dictionary<string, object?> { ["data"] = new Dictionary<string, object?> { ["url"] = "https://pay.example/b/2?x=1&y={2}" } },
            },
        };

        // A first render (checked against Scriban) with one scope, then the simple render with another...
        var warm = new ScribanTemplateEngine(Options.Create(new TemplateOptions()));
        warm.Render(warm.Parse(template), Scope(new Dictionary<string, object?> { ["data"] = new Dictionary<string, object?> { ["url"] = "u1" } }));
        var simple = warm.Render(warm.Parse(template), Other());

        // ...equals what Scriban renders for that scope (a fresh engine's first render is Scriban's own).
        var fresh = new ScribanTemplateEngine(Options.Create(new TemplateOptions()));
        var scriban = fresh.Render(fresh.Parse(template), Other());
        Assert.Equal(scriban.Text, simple.Text);
        Assert.Equal(scriban.Warnings, simple.Warnings);
    }
}
