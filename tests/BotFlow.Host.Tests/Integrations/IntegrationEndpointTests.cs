using System.Net;
using BotFlow.Host.Tests.Infrastructure;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Integrations;

public sealed class IntegrationEndpointTests
{
    private static string BoletoConfig(string baseUrl) => $$$"""
    {
      "method": "POST",
      "url": "{{{baseUrl}}}/boletos/segunda-via",
      "headers": [ { "key": "Content-Type", "value": "application/json" }, { "key": "Authorization", "value": "Bearer {{ secrets.boleto_token }}" } ],
      "body": [
        { "key": "customer[name]", "field": "name" },
        { "key": "customer[cpf]", "field": "cpf" },
        { "key": "contacts[0][name]", "field": "name" },
        { "key": "contacts[0][emails][0][email]", "field": "email" },
        { "key": "source", "value": "bot" }
      ],
      "save": [ { "field": "boleto_url", "path": "data[url]" }, { "var": "amount", "path": "data[amount]" } ],
      "message": "Seu boleto: {data[url]}"
    }
    """;

    [Fact]
    public async Task Preview_builds_the_json_from_the_rows_with_sample_fields_and_masks_secrets()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");

        var preview = await ReadAsync(await app.CreateClient().PostAsync("/api/integrations/preview", Json($$"""
            { "config": {{BoletoConfig(upstream.BaseUrl)}}, "fields": { "name": "Ana", "cpf": "529.982.247-25", "email": "ana@example.com" } }
            """)), expectSuccess: true);

        Assert.Equal("POST", (string?)preview["method"]);
        Assert.Equal("""{"customer":{"name":"Ana","cpf":"52998224725"},"contacts":[{"name":"Ana","emails":[{"email":"ana@example.com"}]}],"source":"bot"}""",
            preview["body"]!.ToString(Newtonsoft.Json.Formatting.None));
        Assert.Equal("Bearer ***", (string?)preview["headers"]!["Authorization"]);
        Assert.Empty(preview["errors"]!);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Preview_joins_a_repeated_header_under_its_first_spelling_and_masks_the_secret_in_it()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");

        var preview = await ReadAsync(await app.CreateClient().PostAsync("/api/integrations/preview", Json($$$"""
            { "config": { "method": "GET", "url": "{{{upstream.BaseUrl}}}/x", "headers": [
                { "key": "X-Tag", "value": "a" }, { "key": "Accept", "value": "application/json" },
                { "key": "x-tag", "value": "key {{ secrets.boleto_token }}" } ] } }
            """)), expectSuccess: true);

        var headers = (JObject)preview["headers"]!;
        Assert.Equal(["X-Tag", "Accept"], headers.Properties().Select(p => p.Name));
        Assert.Equal("a, key ***", (string?)headers["X-Tag"]);
    }

    [Fact]
    public async Task A_secret_changed_between_runs_is_masked_with_its_new_value()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        var client = app.CreateClient();
        var request = $$$"""
            { "config": { "method": "GET", "url": "{{{upstream.BaseUrl}}}/x", "headers": [ { "key": "X-Key", "value": "key {{ secrets.boleto_token }}" } ] } }
            """;

        var before = await ReadAsync(await client.PostAsync("/api/integrations/preview", Json(request)), expectSuccess: true);
        (await client.PutAsync("/api/secrets/boleto_token", Json("""{"value":"a-brand-new-token-value"}"""))).EnsureSuccessStatusCode();
        var after = await ReadAsync(await client.PostAsync("/api/integrations/preview", Json(request)), expectSuccess: true);

        Assert.Equal("key ***", (string?)before["headers"]!["X-Key"]);
        Assert.Equal("key ***", (string?)after["headers"]!["X-Key"]);
        Assert.DoesNotContain("a-brand-new-token-value", after.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_reports_every_error_at_the_row_it_names()
    {
        using var app = new BotFlowApp();

        var preview = await ReadAsync(await app.CreateClient().PostAsync("/api/integrations/preview", Json("""
            { "config": { "method": "POST", "url": "http://127.0.0.1:1/x",
                "body": [ { "key": "deal[name", "value": "x" }, { "key": "a", "field": "nao_existe" }, { "key": "b", "value": "{{ if }}" } ] } }
            """)), expectSuccess: true);

        var errors = preview["errors"]!.Select(e => (string)e!).ToList();
        Assert.Contains(errors, e => e.StartsWith("config.body[0].key: malformed", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("config.body[1].field:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("config.body[2].value: template error at line 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Preview_rejects_header_names_outside_printable_ascii_or_with_a_colon()
    {
        using var app = new BotFlowApp();

        var preview = await ReadAsync(await app.CreateClient().PostAsync("/api/integrations/preview", Json("""
            { "config": { "method": "GET", "url": "http://127.0.0.1:1/x", "headers": [
                { "key": "X-Ok_1.2~!#$%&'*+^`|", "value": "a" }, { "key": "X Space", "value": "b" }, { "key": "X:Colon", "value": "c" },
                { "key": "X-Ção", "value": "d" }, { "key": "X-Del\u007f", "value": "e" }, { "key": " X-Trimmed ", "value": "g" } ] } }
            """)), expectSuccess: true);

        var errors = preview["errors"]!.Select(e => (string)e!).ToList();
        Assert.Equal(["config.headers[1].key", "config.headers[2].key", "config.headers[3].key", "config.headers[4].key"],
            errors.Select(e => e[..e.IndexOf(':', StringComparison.Ordinal)]));
        Assert.All(errors, e => Assert.EndsWith("is not a valid header name", e, StringComparison.Ordinal));
        Assert.Equal("a", (string?)preview["headers"]!["X-Ok_1.2~!#$%&'*+^`|"]);
        Assert.Equal("g", (string?)preview["headers"]!["X-Trimmed"]);
    }

    [Fact]
    public async Task Response_headers_arrive_as_sent_under_lower_case_names_with_repeated_ones_joined()
    {
        var result = await TestGetAsync("/headers");

        var headers = (JObject)result["response"]!["headers"]!;
        Assert.Equal("application/json;charset=UTF-8", (string?)headers["content-type"]);
        Assert.Equal("a, b", (string?)headers["x-trace"]);
        Assert.Equal("p-1", (string?)headers["x-partner-id"]);
        Assert.True((bool)result["response"]!["body"]!["ok"]!);
    }

    [Fact]
    public async Task An_answer_in_another_charset_is_read_in_that_charset()
    {
        var result = await TestGetAsync("/latin1");

        Assert.Equal("Ã§", (string?)result["response"]!["body"]!["nome"]);
    }

    /// <summary>The editor's Test of a GET to one of the fake partner's paths, on a fresh host.</summary>
    private static async Task<JObject> TestGetAsync(string path)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        return await ReadAsync(await app.CreateClient().PostAsync("/api/integrations/test", Json($$"""
            { "config": { "method": "GET", "url": "{{upstream.BaseUrl}}{{path}}" } }
            """)), expectSuccess: true);
    }

    [Fact]
    public async Task Test_runs_the_request_for_real_and_changes_no_contact()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");

        var result = await ReadAsync(await app.CreateClient().PostAsync("/api/integrations/test", Json($$"""
            { "config": {{BoletoConfig(upstream.BaseUrl)}}, "fields": { "name": "Ana", "cpf": "52998224725", "email": "ana@example.com" } }
            """)), expectSuccess: true);

        Assert.Equal(200, (int)result["response"]!["status"]!);
        Assert.Equal("https://pay.example/b/52998224725", (string?)result["response"]!["body"]!["data"]!["url"]);
        Assert.Equal("application/json; charset=utf-8", (string?)result["response"]!["headers"]!["content-type"]);
        Assert.True((double)result["response"]!["elapsedMs"]! > 0);
        Assert.Equal("success", (string?)result["outcome"]);
        Assert.Equal("Seu boleto: https://pay.example/b/52998224725", (string?)result["message"]);
        Assert.Equal("https://pay.example/b/52998224725", (string?)result["saved"]!["fields"]!["boleto_url"]);
        Assert.Equal(123.45m, (decimal)result["saved"]!["vars"]!["amount"]!);
        Assert.Equal("Bearer ***", (string?)result["request"]!["headers"]!["Authorization"]);
        Assert.Single(upstream.Requests);
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync("/api/contacts/test-contact")).StatusCode);

        var executions = (JArray)(await ReadAsync(await app.CreateClient().GetAsync("/api/executions"), expectSuccess: true))["items"]!;
        Assert.Equal("test", (string?)Assert.Single(executions)["kind"]);
    }

    [Fact]
    public async Task The_recorded_request_body_is_the_body_the_partner_received_and_a_secret_in_it_is_masked()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        var client = app.CreateClient();

        await client.PostAsync("/api/integrations/test", Json($$"""
            { "config": {{BoletoConfig(upstream.BaseUrl)}}, "fields": { "name": "Zoë \"Z\" <Ana>", "cpf": "52998224725", "email": "ana@example.com" } }
            """));
        // A partner's token that also turns up in a contact's field is masked in the body the record keeps.
        var masked = await ReadAsync(await client.PostAsync("/api/integrations/test", Json($$"""
            { "config": {{BoletoConfig(upstream.BaseUrl)}}, "fields": { "name": "{{FakeUpstream.BoletoToken}}", "cpf": "52998224725", "email": "ana@example.com" } }
            """)), expectSuccess: true);

        var executions = (JArray)(await ReadAsync(await client.GetAsync("/api/executions"), expectSuccess: true))["items"]!;
        var received = upstream.Requests.ToArray();
        var plain = executions.Single(e => (string?)e["request"]!["body"]!["customer"]!["name"] != "***");
        Assert.True(JToken.DeepEquals(JToken.Parse(received[0].Body), plain["request"]!["body"]), plain["request"]!["body"]!.ToString());
        Assert.Equal("Zoë \"Z\" <Ana>", (string?)plain["request"]!["body"]!["contacts"]![0]!["name"]);

        Assert.Contains(FakeUpstream.BoletoToken, received[1].Body);
        Assert.Equal("***", (string?)masked["request"]!["body"]!["customer"]!["name"]);
        Assert.Equal("***", (string?)masked["request"]!["body"]!["contacts"]![0]!["name"]);
        Assert.Equal("52998224725", (string?)masked["request"]!["body"]!["customer"]!["cpf"]);
        Assert.DoesNotContain(FakeUpstream.BoletoToken, executions.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, executions.Count(e => (string?)e["request"]!["body"]!["source"] == "bot"));
    }

    [Fact]
    public async Task Test_reports_what_the_script_would_store_and_its_log()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        var config = JObject.Parse(BoletoConfig(upstream.BaseUrl));
        config["script"] = "log('amount ' + response.body.data.amount); setVar('valor', response.body.data.amount * 2); return { outcome: 'success', message: 'Valor: ' + response.body.data.amount };";

        var result = await ReadAsync(await app.CreateClient().PostAsync("/api/integrations/test",
            Json(new JObject { ["config"] = config, ["fields"] = new JObject { ["name"] = "Ana", ["cpf"] = "52998224725", ["email"] = "a@b.co" } }.ToString())), expectSuccess: true);

        Assert.Equal("Valor: 123.45", (string?)result["message"]);
        Assert.Equal(246.9, (double)result["saved"]!["vars"]!["valor"]!, 3);
        Assert.Equal(["amount 123.45"], result["scriptLog"]!.Select(l => (string)l!));
    }

    // On the real host process, so under BotFlow.Host.runtimeconfig.json and not this test process's settings: mapping
    // scripts format reais, strip accents and sort names with ICU's data. Invariant globalization would save ~10 MB of
    // RSS (docs/benchmarks.md, nineteenth pass) and answer "R$1,234.50", "acao" with its accents left in, "é" after "z".
    [Fact]
    public async Task The_host_process_runs_scripts_with_locale_data()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var host = await HostProcess.StartAsync(new Dictionary<string, string> { ["BotFlow:Storage:DataFolder"] = NewFolder() });
        var config = new JObject
        {
            ["method"] = "GET",
            ["url"] = upstream.BaseUrl + "/echo-auth",
            ["script"] = """
                setVar('valor', (1234.5).toLocaleString('pt-BR', { style: 'currency', currency: 'BRL' }).replace(/\u00a0/g, ' '));
                setVar('chave', 'Ação Éclair'.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase());
                setVar('ordem', ['zebra', 'égua', 'fada'].sort(function (a, b) { return a.localeCompare(b, 'pt-BR'); }).join(','));
                """,
        };

        var result = await ReadAsync(await host.Client.PostAsync("/api/integrations/test", Json(new JObject { ["config"] = config }.ToString())), expectSuccess: true);

        var vars = result["saved"]!["vars"]!;
        Assert.Equal("R$ 1.234,50", (string?)vars["valor"]);
        Assert.Equal("acao eclair", (string?)vars["chave"]);
        Assert.Equal("égua,fada,zebra", (string?)vars["ordem"]);
    }

    [Fact]
    public async Task Executions_are_filtered_by_flow_contact_and_outcome()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");
        await app.SendAsync("segunda-via-boleto", "c-ok", "oi", new { name = "Ana", email = "a@b.co" });
        await app.SendAsync("segunda-via-boleto", "c-ok", "52998224725");
        upstream.Next(1, 404, """{"error":"not found"}""");
        await app.SendAsync("segunda-via-boleto", "c-bad", "oi", new { name = "Bia", email = "b@b.co" });
        await app.SendAsync("segunda-via-boleto", "c-bad", "52998224725");
        var client = app.CreateClient();

        var failures = (JArray)(await ReadAsync(await client.GetAsync("/api/executions?flowId=segunda-via-boleto&outcome=failure"), expectSuccess: true))["items"]!;
        var forContact = (JArray)(await ReadAsync(await client.GetAsync("/api/executions?contactId=c-ok"), expectSuccess: true))["items"]!;
        var badLimit = await client.GetAsync("/api/executions?limit=0");

        Assert.Equal("c-bad", (string?)Assert.Single(failures)["contactId"]);
        var ok = Assert.Single(forContact);
        Assert.Equal("success", (string?)ok["outcome"]);
        Assert.Equal("buscar-boleto", (string?)ok["blockId"]);
        Assert.Equal(1, (int)ok["flowVersion"]!);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }

    [Fact]
    public async Task Redirects_are_followed_up_to_five_times()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        var client = app.CreateClient();

        var three = await ReadAsync(await client.PostAsync("/api/integrations/test", Json($$"""{ "config": { "method": "GET", "url": "{{upstream.BaseUrl}}/redirect/3" } }""")), expectSuccess: true);
        var nine = await ReadAsync(await client.PostAsync("/api/integrations/test", Json($$"""{ "config": { "method": "GET", "url": "{{upstream.BaseUrl}}/redirect/9" } }""")), expectSuccess: true);

        Assert.True((bool)three["response"]!["body"]!["arrived"]!);
        Assert.Equal("failure", (string?)nine["outcome"]);
        Assert.Contains("more than 5 redirects", (string?)nine["response"]!["error"]);
    }

    [Fact]
    public async Task Oauth2_token_is_fetched_once_and_reused()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        (await app.CreateClient().PutAsync("/api/secrets/client_secret", Json("""{"value":"client-secret-xyz"}"""))).EnsureSuccessStatusCode();
        var request = $$$"""
            { "config": { "method": "GET", "url": "{{{upstream.BaseUrl}}}/echo-auth",
              "auth": { "type": "oauth2-client-credentials", "tokenUrl": "{{{upstream.BaseUrl}}}/oauth/token", "clientId": "bot", "clientSecret": "{{ secrets.client_secret }}" } } }
            """;

        var first = await ReadAsync(await app.CreateClient().PostAsync("/api/integrations/test", Json(request)), expectSuccess: true);
        var second = await ReadAsync(await app.CreateClient().PostAsync("/api/integrations/test", Json(request)), expectSuccess: true);

        Assert.Equal("success", (string?)first["outcome"]);
        Assert.Equal("success", (string?)second["outcome"]);
        Assert.Equal(1, upstream.Requests.Count(r => r.Path == "/oauth/token"));
        // The token is a secret too: masked in what the editor sees.
        Assert.Equal("Bearer ***", (string?)second["response"]!["body"]!["authorization"]);
    }

    [Fact]
    public async Task Basic_auth_is_sent_and_masked()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        (await app.CreateClient().PutAsync("/api/secrets/pwd", Json("""{"value":"p4ssw0rd!"}"""))).EnsureSuccessStatusCode();

        var result = await ReadAsync(await app.CreateClient().PostAsync("/api/integrations/test", Json($$$"""
            { "config": { "method": "GET", "url": "{{{upstream.BaseUrl}}}/echo-auth", "auth": { "type": "basic", "username": "bot", "password": "{{ secrets.pwd }}" } } }
            """)), expectSuccess: true);

        Assert.Equal("Basic " + Convert.ToBase64String("bot:p4ssw0rd!"u8.ToArray()), upstream.Requests.Single().Headers["authorization"]);
        Assert.Equal("Basic ***", (string?)result["request"]!["headers"]!["Authorization"]);
        Assert.Equal("Basic ***", (string?)result["response"]!["body"]!["authorization"]);
    }

    [Fact]
    public async Task Form_urlencoded_mode_sends_the_rows_as_a_form_with_brackets_kept()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();

        await app.CreateClient().PostAsync("/api/integrations/test", Json($$$"""
            { "config": { "method": "POST", "url": "{{{upstream.BaseUrl}}}/form",
              "headers": [ { "key": "Content-Type", "value": "application/x-www-form-urlencoded" } ],
              "body": [ { "key": "deal[name]", "value": "Lead {{ contact.name }}" }, { "key": "amount", "value": "10", "type": "number" } ] },
              "fields": { "name": "Ana" } }
            """));

        var sent = upstream.Requests.Single();
        Assert.Equal("deal%5Bname%5D=Lead%20Ana&amount=10", sent.Body);
        Assert.StartsWith("application/x-www-form-urlencoded", sent.Headers["content-type"]);
    }

    [Fact]
    public async Task Test_with_an_invalid_config_is_a_400_naming_each_problem()
    {
        using var app = new BotFlowApp();

        var response = await app.CreateClient().PostAsync("/api/integrations/test", Json("""{ "config": { "method": "FETCH", "url": "" } }"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var paths = (await ReadAsync(response))["errors"]!.Select(e => (string)e["path"]!).ToList();
        Assert.Contains("config.method", paths);
        Assert.Contains("config.url", paths);
    }
}
