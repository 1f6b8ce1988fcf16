using BotFlow.Host.Tests.Infrastructure;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Conversations;

public sealed class RestartTests
{
    [Fact]
    public async Task A_new_host_on_the_same_data_folder_continues_the_conversation_where_it_was()
    {
        var folder = BotFlowApp.NewFolder();
        try
        {
            using (var first = new BotFlowApp(folder))
            {
                await first.PutFieldAsync("cpf", "CPF", "cpf");
                await first.PutFlowAsync(TestFlows.Atendimento);
                var asked = await first.SendAsync("atendimento", "5511988887777", "oi", new { name = "Caio" });
                Assert.Equal("pedir-cpf", (string?)asked["blockId"]);
            }

            using var second = new BotFlowApp(folder);
            var menu = await second.SendAsync("atendimento", "5511988887777", "529.982.247-25");
            Assert.Equal(["CPF 52998224725 recebido.\n1 - Financeiro\n2 - Encerrar"], Replies(menu));
            var end = await second.SendAsync("atendimento", "5511988887777", "2");
            Assert.Equal(["Obrigado, Caio!"], Replies(end));
            Assert.True(File.Exists(Path.Combine(folder, "botflow.db")));
            Assert.True(File.Exists(Path.Combine(folder, "botflow.db-wal")) || new FileInfo(Path.Combine(folder, "botflow.db")).Length > 0);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
