using BenchmarkDotNet.Attributes;
using BotFlow.Host.Contacts;
using BotFlow.Host.Conversations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BotFlow.Benchmarks;

/// <summary>
/// A conversation step without HTTP in front (flow dispatch, block runs, templates, persistence), the boleto step of
/// performance.md (its Integration block calls a partner on a loopback port, then the step and its execution record
/// are stored), and the SQLite step commit alone, single and 16 at once (group commit). The boleto step is the
/// end-to-end workload without wrk and Kestrel in front: it moves a few percent where a load run's noise does not.
/// The snapshot read is what a returning contact's step reads before it runs.
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    private WebApplicationFactory<Program> _app = null!;
    private ConversationRunner _runner = null!;
    private IConversationStore _store = null!;
    private string _folder = "";
    private int _contact;
    private WebApplication _partner = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "botflow-step-bench-" + Guid.NewGuid().ToString("N")[..8]);
        _app = BenchHost.Create(_folder, ("BotFlow:Integration:AllowedHosts:0", "127.0.0.1"));
        // The partner answers at once, like bench/upstream.js; it runs in this process, so its own small cost is in every boleto figure.
        _partner = BotFlow.Tests.Shared.LoopbackServer.Create();
        _partner.MapPost("/boletos/segunda-via", () => Microsoft.AspNetCore.Http.Results.Text("""{"data":{"url":"https://pay.example/b/52998224725"}}""", "application/json"));
        var partnerUrl = BotFlow.Tests.Shared.LoopbackServer.StartAsync(_partner).GetAwaiter().GetResult();

        var client = _app.CreateClient();
        foreach (var (key, type) in new[] { ("cpf", "cpf"), ("email", "email") })
        {
            client.PutAsync($"/api/fields/{key}", new StringContent($$"""{ "label": "{{key}}", "type": "{{type}}" }""", System.Text.Encoding.UTF8, "application/json"))
                .GetAwaiter().GetResult().EnsureSuccessStatusCode();
        }

        var boleto = File.ReadAllText(Path.Combine(BotFlow.Tests.Shared.RepositoryRoot.Require(), "bench", "boleto-bench.flow.json")).Replace("http://127.0.0.1:18080", partnerUrl, StringComparison.Ordinal);
        client.PutAsync("/api/flows/boleto-bench", new StringContent(boleto, System.Text.Encoding.UTF8, "application/json")).GetAwaiter().GetResult().EnsureSuccessStatusCode();
        client.PutAsync("/api/flows/step", new StringContent("""
            { "id": "step", "start": "ola", "blocks": [
              { "id": "ola", "type": "message", "config": { "text": "Olá, {{ contact.name }}!" }, "next": "cpf" },
              { "id": "cpf", "type": "question", "config": { "text": "Qual é o seu nome?", "field": "name" } } ] }
            """, System.Text.Encoding.UTF8, "application/json")).GetAwaiter().GetResult().EnsureSuccessStatusCode();
        _runner = _app.Services.GetRequiredService<ConversationRunner>();
        _store = _app.Services.GetRequiredService<IConversationStore>();
        _store.CommitAsync(Commit(Returning), CancellationToken.None).GetAwaiter().GetResult();
    }

    private const string Returning = "returning";

    [Benchmark(Description = "read: a returning contact's step snapshot (contact and waiting conversation)")]
    public Task<StepSnapshot> LoadReturning() => _store.LoadStepAsync("step", Returning, withConversation: true, null, CancellationToken.None);

    [GlobalCleanup]
    public void Cleanup()
    {
        _app.Dispose();
        BotFlow.Tests.Shared.LoopbackServer.StopAsync(_partner).AsTask().GetAwaiter().GetResult();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Description = "step: message → question for a new contact (dispatch + persistence)")]
    public async Task<string> MessageThenQuestion()
    {
        var contact = "bench-" + Interlocked.Increment(ref _contact);
        var (result, _, _) = await _runner.HandleAsync("step", contact, "oi", new Dictionary<string, string?> { ["name"] = "Ana" }, restart: false, CancellationToken.None);
        return result!.Status;
    }

    [Benchmark(Description = "step: boleto for a new contact (integration on a loopback partner + persistence)")]
    public async Task<string> Boleto()
    {
        var n = Interlocked.Increment(ref _contact);
        var (result, _, _) = await _runner.HandleAsync("boleto-bench", "boleto-" + n, "oi",
            new Dictionary<string, string?> { ["name"] = "Ana", ["cpf"] = "52998224725", ["email"] = "ana@example.com" }, restart: false, CancellationToken.None);
        return result!.Replies[0].Text;
    }

    /// <summary>64 boleto steps at once, as under load: CPU-bound on this machine, so the mean moves with the work done.</summary>
    [Benchmark(Description = "step: 64 boleto steps at once, per batch")]
    public Task BoletoSixtyFour() => Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Boleto()));

    [Benchmark(Description = "commit: one step's rows (contact, conversation, 3 messages)")]
    public Task<IReadOnlyList<long>> CommitOne() => _store.CommitAsync(Commit(), CancellationToken.None);

    [Benchmark(Description = "commit: 16 steps at once (group commit), per batch")]
    public Task CommitSixteen() => Task.WhenAll(Enumerable.Range(0, 16).Select(_ => _store.CommitAsync(Commit(), CancellationToken.None)));

    private StepCommit Commit(string? contact = null)
    {
        contact ??= "commit-" + Interlocked.Increment(ref _contact);
        var now = DateTimeOffset.UtcNow;
        var conversation = new ConversationRecord(Guid.NewGuid().ToString("N"), "step", contact, 1, ConversationStatuses.Waiting, "cpf", true, "{}", null, null, now, now);
        return new StepCommit(contact, new Dictionary<string, string> { ["name"] = "Ana" }, true, conversation,
        [
            new NewMessage(MessageDirections.In, "oi", "ola", MessageStatuses.Received, Channels.Test, now),
            new NewMessage(MessageDirections.Out, "Olá, Ana!", "ola", MessageStatuses.Delivered, Channels.Test, now),
            new NewMessage(MessageDirections.Out, "Qual é o seu nome?", "cpf", MessageStatuses.Delivered, Channels.Test, now),
        ]);
    }
}
