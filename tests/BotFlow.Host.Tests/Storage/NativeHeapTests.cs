using BotFlow.Host.Tests.Infrastructure;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Storage;

/// <summary>
/// The C allocator's arena cap is process-wide and applied once at start-up, so it is checked on fresh host processes;
/// the start-up line reports what glibc accepted (mallopt answered success), not what was asked.
/// </summary>
public sealed class NativeHeapTests
{
    [Fact]
    public async Task A_host_on_linux_caps_the_c_allocator_at_two_arenas_by_default()
    {
        await using var host = await StartAsync(new() { ["MALLOC_ARENA_MAX"] = "" });

        await AssertStartupSaysAsync(host, "; 2 malloc arenas)");
    }

    [Fact]
    public async Task An_operator_sets_another_cap_in_configuration()
    {
        await using var host = await StartAsync(new() { ["MALLOC_ARENA_MAX"] = "", ["BotFlow:Storage:MallocArenaMax"] = "4" });

        await AssertStartupSaysAsync(host, "; 4 malloc arenas)");
    }

    [Fact]
    public async Task Zero_keeps_the_c_allocators_defaults()
    {
        await using var host = await StartAsync(new() { ["MALLOC_ARENA_MAX"] = "", ["BotFlow:Storage:MallocArenaMax"] = "0" });

        await AssertStartupSaysAsync(host, "; C allocator defaults)");
    }

    [Fact]
    public async Task The_environment_variable_glibc_reads_itself_wins()
    {
        await using var host = await StartAsync(new() { ["MALLOC_ARENA_MAX"] = "3" });

        await AssertStartupSaysAsync(host, "; MALLOC_ARENA_MAX=3 from the environment)");
    }

    private static async Task<HostProcess> StartAsync(Dictionary<string, string> settings)
    {
        settings["BotFlow:Storage:DataFolder"] = NewFolder();
        settings["Logging:LogLevel:BotFlow.Host.Storage"] = "Information";
        return await HostProcess.StartAsync(settings);
    }

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
