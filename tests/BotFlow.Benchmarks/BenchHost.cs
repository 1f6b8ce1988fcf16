using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;

namespace BotFlow.Benchmarks;

/// <summary>The real host in process for the in-process benchmarks: its own data folder, no sample flows, no Hangfire.</summary>
internal static class BenchHost
{
    public static WebApplicationFactory<Program> Create(string folder, params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSolutionRelativeContentRoot("host/BotFlow.Host");
            b.UseEnvironment("Development");
            b.UseSetting("BotFlow:Storage:DataFolder", folder);
            b.UseSetting("BotFlow:Flows:ImportSamples", "false");
            b.UseSetting("BotFlow:Jobs:Enabled", "false");
            b.UseSetting("BotFlow:Plugins:Folders:0", Path.Combine(AppContext.BaseDirectory, "plugins"));
            foreach (var (key, value) in settings)
            {
                b.UseSetting(key, value);
            }

            b.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        });
}
