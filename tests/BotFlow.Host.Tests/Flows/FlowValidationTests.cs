using System.Net;
using BotFlow.Host.Tests.Infrastructure;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Flows;

public sealed class FlowValidationTests
{
    private const string BrokenFlow = """
    {
      "id": "quebrado",
      "start": "inicio",
      "blocks": [
        { "id": "inicio", "type": "message", "config": { "text": "Olá {{ if }}" }, "next": "perguntar" },
        { "id": "perguntar", "type": "question", "config": { "text": "Seu CPF?", "field": "cpf_inexistente" }, "next": "nao-existe" },
        { "id": "perguntar", "type": "message", "config": { "text": "duplicado" } },
        { "id": "misterio", "type": "vendor.desconhecido", "config": {} },
        { "id": "menu", "type": "menu", "config": { "text": "Escolha", "options": [ { "key": "1" } ] }, "exits": { "9": "inicio" } },
        { "id": "cond", "type": "condition", "config": { "expression": "(contact.idade > 3" }, "exits": { "true": "inicio" } },
        { "id": "transf", "type": "transfer", "config": { "text": "sem departamento" } }
      ]
    }
    """;

    [Fact]
    public async Task Every_mistake_is_reported_at_once_with_its_block_and_path()
    {
        using var app = new BotFlowApp();

        var response = await app.CreateClient().PutAsync("/api/flows/quebrado", Json(BrokenFlow));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ReadAsync(response);
        var errors = ((JArray)problem["errors"]!).Select(e => ((string?)e["blockId"], (string)e["path"]!, (string)e["message"]!)).ToList();
        Assert.Contains(errors, e => e is ("inicio", "config.text", var m) && m.Contains("line 1, column", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is ("perguntar", "config.field", var m) && m.Contains("cpf_inexistente", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is ("perguntar", "next", var m) && m.Contains("nao-existe", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is ("perguntar", "id", var m) && m.Contains("duplicate", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is ("misterio", "type", var m) && m.Contains("unknown block type", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is ("menu", "exits.9", var m) && m.Contains("no exit '9'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is ("cond", "config.expression", var m) && m.Contains("line 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is ("transf", "config.department", _));
        Assert.True(errors.Count >= 8);
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync("/api/flows/quebrado")).StatusCode);
    }

    [Fact]
    public async Task Unreachable_blocks_are_warnings_and_the_flow_still_saves()
    {
        using var app = new BotFlowApp();
        const string flow = """
        { "id": "sobra", "start": "a", "blocks": [
          { "id": "a", "type": "end", "config": { "text": "fim" } },
          { "id": "orfao", "type": "message", "config": { "text": "ninguém chega aqui" } } ] }
        """;

        var validate = await ReadAsync(await app.CreateClient().PostAsync("/api/flows/sobra/validate", Json(flow)), expectSuccess: true);
        Assert.True((bool)validate["valid"]!);
        Assert.Equal("orfao", (string?)validate["warnings"]![0]!["blockId"]);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().PutAsync("/api/flows/sobra", Json(flow))).StatusCode);
    }

    [Fact]
    public async Task Comments_in_a_flow_document_are_tolerated_on_import()
    {
        using var app = new BotFlowApp();
        const string flow = """
        // exported from the editor
        { "id": "comentado", "start": "a", /* the first block */ "blocks": [ { "id": "a", "type": "end", "config": {} } ] }
        """;

        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().PutAsync("/api/flows/comentado", Json(flow))).StatusCode);
    }

    [Fact]
    public async Task A_body_id_different_from_the_url_id_is_refused()
    {
        using var app = new BotFlowApp();
        var response = await app.CreateClient().PutAsync("/api/flows/outro", Json("""{ "id": "um", "start": "a", "blocks": [ { "id": "a", "type": "end" } ] }"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("id", (string?)(await ReadAsync(response))["errors"]![0]!["path"]);
    }

    [Fact]
    public async Task Deleting_a_field_a_saved_flow_uses_is_refused_with_409()
    {
        using var app = new BotFlowApp();
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);

        var refused = await app.CreateClient().DeleteAsync("/api/fields/cpf");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("atendimento", (string?)(await ReadAsync(refused))["detail"]);

        Assert.Equal(HttpStatusCode.NoContent, (await app.CreateClient().DeleteAsync("/api/flows/atendimento")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await app.CreateClient().DeleteAsync("/api/fields/cpf")).StatusCode);
    }

    [Fact]
    public async Task Flow_list_and_get_return_the_saved_document()
    {
        using var app = new BotFlowApp();
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);

        var list = await ReadAsync(await app.CreateClient().GetAsync("/api/flows"), expectSuccess: true);
        var flow = await ReadAsync(await app.CreateClient().GetAsync("/api/flows/atendimento"), expectSuccess: true);

        Assert.Equal("atendimento", (string?)list["items"]![0]!["id"]);
        Assert.Equal(1, (int)list["items"]![0]!["version"]!);
        Assert.Equal(5, ((JArray)flow["blocks"]!).Count);
    }
}
