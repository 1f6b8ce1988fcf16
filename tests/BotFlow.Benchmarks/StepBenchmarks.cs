using BenchmarkDotNet.Attributes;
using BotFlow.Host.Contacts;
using BotFlow.Host.Conversations;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BotFlow.Benchmarks;

/// <summary>
/// A conversation step without HTTP in front (flow dispatch, block runs, templates, persistence), and the SQLite
/// step commit alone, single and 16 at once (group commit).
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    private WebApplicationFactory<Program> _app = null!;
    private ConversationRunner _runner = null!;
    private IConversationStore _store = null!;
    private string _folder = "";
    private int _contact;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "botflow-step-bench-" + Guid.NewGuid().ToString("N")[..8]);
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSolutionRelativeContentRoot("host/BotFlow.Host");
            b.UseEnvironment("Development");
            b.UseSetting("BotFlow:Storage:DataFolder", _folder);
            b.UseSetting("BotFlow:Flows:ImportSamples", "false");
            b.UseSetting("BotFlow:Jobs:Enabled", "false");
            b.UseSetting("BotFlow:Plugins:Folders:0", Path.Combine(AppContext.BaseDirectory, "plugins"));
            b.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        });
        var client = _app.CreateClient();
        client.PutAsync("/api/flows/step", new StringContent("""
            { "id": "step", "start": "ola", "blocks": [
              { "id": "ola", "type": "message", "config": { "text": "Olá, {{ contact.name }}!" }, "next": "cpf" },
              { "id": "cpf", "type": "question", "config": { "text": "Qual é o seu nome?", "field": "name" } } ] }
            """, System.Text.Encoding.UTF8, "application/json")).GetAwaiter().GetResult().EnsureSuccessStatusCode();
        _runner = _app.Services.GetRequiredService<ConversationRunner>();
        _store = _app.Services.GetRequiredService<IConversationStore>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _app.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Description = "step: message → question for a new contact (dispatch + persistence)")]
    public async Task<string> MessageThenQuestion()
    {
        var contact = "bench-" + Interlocked.Increment(ref _contact);
        var (result, _, _) = await _runner.HandleAsync("step", contact, "oi", new Dictionary<string, string?> { ["name"] = "Ana" }, restart: false, CancellationToken.None);
        return result!.Status;
    }

    [Benchmark(Description = "commit: one step's rows (contact, conversation, 3 messages)")]
    public Task<IReadOnlyList<long>> CommitOne() => _store.CommitAsync(Commit(), CancellationToken.None);

    [Benchmark(Description = "commit: 16 steps at once (group commit), per batch")]
    public Task CommitSixteen() => Task.WhenAll(Enumerable.Range(0, 16).Select(_ => _store.CommitAsync(Commit(), CancellationToken.None)));

    private StepCommit Commit()
    {
        var contact = "commit-" + Interlocked.Increment(ref _contact);
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
