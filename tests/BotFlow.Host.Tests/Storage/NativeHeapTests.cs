using BotFlow.Host.Tests.Infrastructure;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Storage;

/// <summary>
/// glibc reads MALLOC_ARENA_MAX once, when the process starts, so the start-up line is checked on fresh host processes
/// started with and without it.
/// </summary>
public sealed class NativeHeapTests
{
    [Fact]
    public async Task The_startup_line_reports_the_malloc_arena_cap_the_host_was_started_with()
    {
        await using var host = await StartAsync("2");

        await AssertStartupSaysAsync(host, "; MALLOC_ARENA_MAX=2)");
    }

    [Fact]
    public async Task Without_a_cap_the_startup_line_says_where_to_set_one()
    {
        await using var host = await StartAsync("");

        await AssertStartupSaysAsync(host, "; glibc's default malloc arenas; MALLOC_ARENA_MAX=2 keeps memory lower, docs/configuration.md)");
    }

    [Fact]
    public void The_launch_profile_of_the_readme_run_command_starts_the_host_with_two_arenas()
    {
        var profile = Newtonsoft.Json.Linq.JObject.Parse(File.ReadAllText(Path.Combine(BotFlow.Tests.Shared.RepositoryRoot.Require(), "host", "BotFlow.Host", "Properties", "launchSettings.json")));

        Assert.Equal("2", (string?)profile.SelectToken("profiles['BotFlow.Host'].environmentVariables.MALLOC_ARENA_MAX"));
    }

    private static Task<HostProcess> StartAsync(string arenaMax) => HostProcess.StartAsync(new Dictionary<string, string>
    {
        // An empty value is glibc's "not set" too; the test process's own environment must not decide the case.
        ["MALLOC_ARENA_MAX"] = arenaMax,
        ["BotFlow:Storage:DataFolder"] = NewFolder(),
        ["Logging:LogLevel:BotFlow.Host.Storage"] = "Information",
    });

    private static async Task AssertStartupSaysAsync(HostProcess host, string text)
    {
        // The line is written before the host answers /health, but the test reads the process's output asynchronously.
        for (var i = 0; i < 50 && !host.Output.Contains("Storage ready:", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
        }

        var line = host.Output.Split('\n').FirstOrDefault(l => l.Contains("Storage ready:", StringComparison.Ordinal)) ?? host.Output;
        Assert.Contains(text, line, StringComparison.Ordinal);
    }
}
