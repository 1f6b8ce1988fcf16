using BotFlow.Host.Storage;
using BotFlow.Host.Tests.Infrastructure;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Storage;

public sealed class SqliteToPostgresTests
{
    [PostgresFact]
    public async Task A_migrated_data_folder_continues_its_waiting_conversation_on_postgresql()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var folder = NewFolder();
        using (var sqlite = new BotFlowApp(folder))
        {
            await Samples.InstallAsync(sqlite, upstream, "segunda-via-boleto");
            await sqlite.SendAsync("segunda-via-boleto", "5511911112222", "oi", new { name = "Ana", email = "a@b.co" });
            await sqlite.SendAsync("segunda-via-boleto", "5511933334444", "oi", new { name = "Bia", email = "b@b.co" });
            await sqlite.SendAsync("segunda-via-boleto", "5511933334444", "52998224725");
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var target = Providers.CreatePostgresDatabase();
        var counts = await SqliteToPostgres.RunAsync(folder, target, TextWriter.Null, CancellationToken.None);
        Assert.Equal(2, counts["contacts"]);
        Assert.Equal(1, counts["flows"]);
        Assert.Equal(2, counts["secrets"]);
        Assert.True(counts["data protection keys"] >= 1);

        // A new host with an empty data folder: everything, keys included, comes from PostgreSQL.
        using var postgres = Providers.App(Providers.PostgreSql, connectionString: target);
        var answer = await postgres.SendAsync("segunda-via-boleto", "5511911112222", "529.982.247-25");
        Assert.Equal("Seu boleto: https://pay.example/b/52998224725", Replies(answer).First());
        var executions = (JArray)(await ReadAsync(await postgres.CreateClient().GetAsync("/api/executions?flowId=segunda-via-boleto"), expectSuccess: true))["items"]!;
        Assert.Equal(2, executions.Count);
        var log = (JArray)(await ReadAsync(await postgres.CreateClient().GetAsync("/api/contacts/5511933334444/messages"), expectSuccess: true))["items"]!;
        Assert.Contains(log, m => (string?)m["text"] == "Seu boleto: https://pay.example/b/52998224725");

        await Assert.ThrowsAsync<InvalidOperationException>(() => SqliteToPostgres.RunAsync(folder, target, TextWriter.Null, CancellationToken.None));
        Directory.Delete(folder, recursive: true);
    }
}
