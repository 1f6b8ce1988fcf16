using BotFlow.Host.Tests.Infrastructure;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Integrations;

public sealed class ExampleFlowTests
{
    [Fact]
    public async Task Boleto_flow_posts_the_nested_body_and_answers_with_the_link_from_the_response()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await Samples.InstallAsync(app, upstream, "segunda-via-boleto");

        var greeting = await app.SendAsync("segunda-via-boleto", "5511999990000", "oi", new { name = "Ana", email = "ana@example.com" });
        Assert.Equal(["Olá, Ana! Vou buscar a segunda via do seu boleto.", "Qual é o seu CPF?"], Replies(greeting));

        var answer = await app.SendAsync("segunda-via-boleto", "5511999990000", "529.982.247-25");

        Assert.Equal(["Seu boleto: https://pay.example/b/52998224725", "Posso ajudar em algo mais?\n1 - Falar com o financeiro\n2 - Encerrar"], Replies(answer));
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("""{"customer":{"name":"Ana","cpf":"52998224725"},"contacts":[{"name":"Ana","emails":[{"email":"ana@example.com"}]}],"source":"bot"}""", sent.Body);
        Assert.Equal("application/json", sent.Headers["content-type"]);
        Assert.Equal($"Bearer {FakeUpstream.BoletoToken}", sent.Headers["authorization"]);
        Assert.True(sent.Headers.ContainsKey("idempotency-key"));

        var contact = await ReadAsync(await app.CreateClient().GetAsync("/api/contacts/5511999990000"), expectSuccess: true);
        Assert.Equal("https://pay.example/b/52998224725", (string?)contact["fields"]!["boleto_url"]);

        var end = await app.SendAsync("segunda-via-boleto", "5511999990000", "2");
        Assert.Equal(["Obrigado, Ana!"], Replies(end));
    }

    [Fact]
    public async Task Rd_station_flow_creates_the_deal_and_the_script_stores_its_id()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var app = new BotFlowApp();
        await Samples.InstallAsync(app, upstream, "rdstation-criar-negociacao");

        Assert.Equal(["Qual é o seu nome?"], Replies(await app.SendAsync("rdstation-criar-negociacao", "5511977776666", "oi", new { phone = "+55 11 97777-6666" })));
        Assert.Equal(["E o seu e-mail?"], Replies(await app.SendAsync("rdstation-criar-negociacao", "5511977776666", "Bruno Lima")));
        Assert.Equal(["Não reconheci esse e-mail. Pode repetir?"], Replies(await app.SendAsync("rdstation-criar-negociacao", "5511977776666", "bruno@")));

        var done = await app.SendAsync("rdstation-criar-negociacao", "5511977776666", "Bruno@Example.com");

        Assert.Equal(["Pronto, Bruno Lima! Um consultor vai falar com você.", "Até logo!"], Replies(done));
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal($"?token={FakeUpstream.RdToken}", sent.Query);
        Assert.Equal("""{"deal":{"name":"Lead do bot - Bruno Lima"},"contacts":[{"name":"Bruno Lima","emails":[{"email":"bruno@example.com"}],"phones":[{"phone":"5511977776666"}]}],"deal_source":{"_id":"bot-whatsapp"}}""", sent.Body);
        var contact = await ReadAsync(await app.CreateClient().GetAsync("/api/contacts/5511977776666"), expectSuccess: true);
        Assert.StartsWith("deal-", (string?)contact["fields"]!["deal_id"]);
    }

    [Fact]
    public async Task Sample_fields_and_flows_are_imported_at_first_start()
    {
        using var app = new BotFlowApp().Set("BotFlow:Flows:ImportSamples", "true");

        var flows = (JArray)(await ReadAsync(await app.CreateClient().GetAsync("/api/flows"), expectSuccess: true))["items"]!;
        var fields = (JArray)(await ReadAsync(await app.CreateClient().GetAsync("/api/fields"), expectSuccess: true))["items"]!;

        Assert.Equal(["rdstation-criar-negociacao", "segunda-via-boleto"], flows.Select(f => (string)f["id"]!));
        Assert.Subset(fields.Select(f => (string)f["key"]!).ToHashSet(), new HashSet<string> { "name", "phone", "cpf", "email", "boleto_url", "deal_id" });
    }
}
