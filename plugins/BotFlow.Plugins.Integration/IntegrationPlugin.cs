using BotFlow.Sdk.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BotFlow.Plugins.Integration;

/// <summary>Registers what the Integration block takes in its constructor.</summary>
public sealed class IntegrationPlugin : IBotFlowPlugin
{
    public void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var options = IntegrationOptions.From(sp.GetRequiredService<IConfiguration>());
            var problems = options.Scripts.Validate();
            return problems.Count == 0 ? options : throw new InvalidOperationException("BotFlow:Scripts: " + string.Join("; ", problems));
        });
        services.AddSingleton<OAuthTokenCache>();
        services.AddSingleton<IntegrationRunner>();
    }
}
