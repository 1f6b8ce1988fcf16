using System.Text;
using BenchmarkDotNet.Attributes;
using BotFlow.Host.Conversations;
using BotFlow.Host.Fields;
using BotFlow.Host.Templates;
using BotFlow.Plugins.Integration;
using BotFlow.Plugins.Integration.Body;
using BotFlow.Plugins.Integration.Scripts;
using BotFlow.Sdk.Context;
using BotFlow.Sdk.Fields;
using BotFlow.Sdk.Http;
using BotFlow.Sdk.Secrets;
using BotFlow.Sdk.Templates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BotFlow.Benchmarks;

/// <summary>
/// The Integration block's own work, everything but the network: the partner is an in-memory <see cref="IOutboundHttp"/>
/// that returns the boleto answer at once, so what is measured is building, rendering, parsing, mapping and recording.
/// </summary>
[MemoryDiagnoser]
public class IntegrationBenchmarks
{
    private static readonly byte[] BoletoAnswer = Encoding.UTF8.GetBytes("""{"data":{"url":"https://pay.example/b/52998224725","amount":123.45}}""");

    private readonly ScribanTemplateEngine _templates = new(Options.Create(new TemplateOptions()));
    private readonly FieldCatalog _fields = new([new FieldDefinition("cpf", "CPF", FieldTypes.Cpf), new FieldDefinition("email", "E-mail", FieldTypes.Email), new FieldDefinition("boleto_url", "Boleto", FieldTypes.Text)]);
    private BodyRow[] _rows20 = [];
    private BodyPlan _plan20 = null!;
    private ITemplate _template = null!;
    private TemplateScope _scope = null!;
    private ScriptRunner _scripts = null!;
    private ScriptInput _scriptInput = null!;
    private IntegrationRunner _runner = null!;
    private IntegrationConfig _boleto = null!;
    private IntegrationConfig _boletoWithScript = null!;

    [GlobalSetup]
    public void Setup()
    {
        _rows20 = Enumerable.Range(0, 20).Select(i => i switch
        {
            < 5 => new BodyRow($"deal[f{i}]", "value " + i, null),
            < 10 => new BodyRow($"contacts[0][f{i}]", i.ToString(System.Globalization.CultureInfo.InvariantCulture), "number"),
            < 15 => new BodyRow($"contacts[0][emails][{i - 10}][email]", $"a{i}@example.com", null),
            _ => new BodyRow($"meta[tags][]", "tag" + i, null),
        }).ToArray();
        _plan20 = BodyPlan.Compile([.. _rows20.Select(r => r.Key)]);

        var response = new Dictionary<string, object?> { ["status"] = 200L, ["body"] = new Dictionary<string, object?> { ["data"] = new Dictionary<string, object?> { ["url"] = "https://pay.example/b/52998224725" } } };
        _scope = new TemplateScope { Contact = new Dictionary<string, object?> { ["name"] = "João Conceição" }, Vars = new Dictionary<string, object?>(), Response = response };
        _template = _templates.Parse("Olá {{ contact.name }}! Seu boleto: {data[url]}");

        _scripts = new ScriptRunner(new ScriptOptions());
        _scriptInput = new ScriptInput(response, _scope.Contact, _scope.Vars);

        _runner = new IntegrationRunner(new InstantPartner(), new FixedSecrets(), new IntegrationOptions(), new OAuthTokenCache(new InstantPartner(), TimeProvider.System),
            TimeProvider.System, NullLogger<IntegrationRunner>.Instance);
        _boleto = new IntegrationConfig
        {
            Method = "POST",
            Url = "http://127.0.0.1:18080/boletos/segunda-via",
            Headers = [new KeyValueRow("Content-Type", "application/json"), new KeyValueRow("Authorization", "Bearer {{ secrets.boleto_token }}")],
            Body =
            [
                new BodyRowConfig { Key = "customer[name]", Field = "name" }, new BodyRowConfig { Key = "customer[cpf]", Field = "cpf" },
                new BodyRowConfig { Key = "contacts[0][name]", Field = "name" }, new BodyRowConfig { Key = "contacts[0][emails][0][email]", Field = "email" },
                new BodyRowConfig { Key = "source", Value = "bot" },
            ],
            Save = [new SaveRow { Field = "boleto_url", Path = "data[url]" }],
            Message = "Seu boleto: {data[url]}",
        };
        _boletoWithScript = _boleto with { Script = "if (response.status === 200 && response.body.data) { setVar('valor', response.body.data.amount); return 'success'; } return 'failure';" };
    }

    [Benchmark(Description = "body: 20 rows → JSON (compiled plan)")]
    public string BuildBody20Rows() => _plan20.Build(_rows20).Text!;

    [Benchmark(Description = "template: cached render with a placeholder")]
    public string RenderCachedTemplate() => _templates.Render(_template, _scope).Text;

    [Benchmark(Description = "script: cached mapping script")]
    public string? RunCachedScript() => _scripts.Run("if (response.status === 200) { setVar('url', response.body.data.url); return 'success'; } return 'failure';", _scriptInput).Outcome;

    [Benchmark(Description = "integration block: boleto (no network)")]
    public Task<string> BoletoBlock() => RunBlock(_boleto);

    [Benchmark(Description = "integration block: boleto + cached script (no network)")]
    public Task<string> BoletoBlockWithScript() => RunBlock(_boletoWithScript);

    /// <summary>What the block benchmarks build before the block starts (the host builds it for any block's step): its share of their allocation.</summary>
    [Benchmark(Description = "step context only (built for any block)")]
    public object StepContextOnly() => NewContext(_boleto);

    private async Task<string> RunBlock(IntegrationConfig config)
    {
        var context = NewContext(config);
        var run = await _runner.RunAsync(context, config, new IntegrationRunRequest("exec-1", "conversation"));
        return run.Outcome;
    }

    private BlockContext<IntegrationConfig> NewContext(IntegrationConfig config)
    {
        var state = new BlockContextState
        {
            FlowId = "boleto-bench", FlowVersion = 1, ContactId = "bench-52998224725", ConversationId = "c", Channel = Channels.Test,
            FieldCatalog = _fields,
            // Sized as the host sizes a new contact's fields (those the message sets, plus two for blocks to save).
            Fields = new Dictionary<string, string>(3 + 2, StringComparer.Ordinal) { ["name"] = "João Conceição", ["cpf"] = "52998224725", ["email"] = "cliente52998224725@example.com.br" },
            Vars = new Dictionary<string, object?>(), Templates = _templates, Logger = NullLogger.Instance, Clock = TimeProvider.System, BlockId = "buscar-boleto",
        };
        return new BlockContext<IntegrationConfig>(state, config);
    }

    private sealed class InstantPartner : IOutboundHttp
    {
        private static readonly Dictionary<string, string> Headers = new() { ["content-type"] = "application/json; charset=utf-8" };

        public Task<OutboundResponse> SendAsync(HttpRequestMessage request, OutboundOptions options, CancellationToken cancellationToken)
        {
            request.Dispose();
            return Task.FromResult(new OutboundResponse { Status = 200, Headers = Headers, Body = BoletoAnswer, Elapsed = TimeSpan.FromMilliseconds(0.2) });
        }
    }

    private sealed class FixedSecrets : ISecretReader
    {
        private static readonly IReadOnlyDictionary<string, string> Values = new Dictionary<string, string> { ["boleto_token"] = "test-token" };

        public ValueTask<IReadOnlyDictionary<string, string>> ReadAllAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Values);
    }
}
