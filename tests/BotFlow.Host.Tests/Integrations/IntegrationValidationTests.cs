using System.Net;
using BotFlow.Host.Tests.Infrastructure;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Integrations;

public sealed class IntegrationValidationTests
{
    [Fact]
    public async Task Integration_mistakes_are_reported_at_save_with_block_and_path()
    {
        using var app = new BotFlowApp();
        var response = await app.CreateClient().PutAsync("/api/flows/erros", Json("""
        { "id": "erros", "start": "get-com-corpo", "blocks": [
          { "id": "get-com-corpo", "type": "integration", "config": { "method": "GET", "url": "http://x.example/a", "body": [ { "key": "a", "value": "1" } ] }, "exits": { "success": "chaves" } },
          { "id": "chaves", "type": "integration", "config": { "method": "POST", "url": "http://x.example/{{ contact.name ",
              "body": [ { "key": "deal[name", "value": "x" }, { "key": "x", "field": "campo_fantasma" }, { "key": "a[0]", "value": "1" }, { "key": "a[b]", "value": "2" } ] },
            "exits": { "success": "script" } },
          { "id": "script", "type": "integration", "config": { "method": "PATCH", "url": "http://x.example", "script": "setField('a', 1);\nif (x {\n}", "successStatus": "200-99",
              "save": [ { "path": "data[" } ] } },
          { "id": "metodo", "type": "integration", "config": { "method": "FETCH", "url": "http://x.example", "auth": { "type": "bearer" } } }
        ] }
        """));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = ((JArray)(await ReadAsync(response))["errors"]!).Select(e => ((string?)e["blockId"], (string)e["path"]!, (string)e["message"]!)).ToList();
        Assert.Contains(errors, e => e is ("get-com-corpo", "config.body", var m) && m.Contains("GET request has no body", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is ("chaves", "config.url", var m) && m.Contains("line 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is ("chaves", "config.body[0].key", var m) && m.Contains("malformed", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is ("chaves", "config.body[1].field", var m) && m.Contains("campo_fantasma", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is ("script", "config.script", var m) && m.Contains("line 2", StringComparison.Ordinal) && m.Contains("column", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is ("script", "config.successStatus", _));
        Assert.Contains(errors, e => e is ("script", "config.save[0].path", _));
        Assert.Contains(errors, e => e is ("script", "config.save[0]", var m) && m.Contains("either", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is ("metodo", "config.method", _));
        Assert.Contains(errors, e => e is ("metodo", "config.auth.token", _));
    }

    [Fact]
    public async Task Key_conflicts_are_reported_at_save_naming_the_row()
    {
        using var app = new BotFlowApp();
        var response = await app.CreateClient().PutAsync("/api/flows/conflito", Json("""
        { "id": "conflito", "start": "a", "blocks": [
          { "id": "a", "type": "integration", "config": { "method": "POST", "url": "http://x.example",
              "body": [ { "key": "a[0]", "value": "1" }, { "key": "a[b]", "value": "2" }, { "key": "c[1]", "value": "3" } ] } } ] }
        """));

        var errors = ((JArray)(await ReadAsync(response))["errors"]!).Select(e => ((string)e["path"]!, (string)e["message"]!)).ToList();
        Assert.Contains(errors, e => e.Item1 == "config.body[1].key" && e.Item2.Contains("conflict", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Item1 == "config.body[2].key" && e.Item2.Contains("gap", StringComparison.Ordinal));
    }
}
