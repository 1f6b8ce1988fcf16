using BotFlow.Host.Conversations;
using BotFlow.Host.Fields;
using BotFlow.Host.Plugins;
using BotFlow.Host.Templates;
using BotFlow.Sdk.Templates;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Flows;

public static class FlowsServiceCollectionExtensions
{
    public static IServiceCollection AddBotFlowTemplates(this IServiceCollection services)
    {
        services.AddOptions<TemplateOptions>().BindConfiguration(TemplateOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ScribanTemplateEngine>();
        services.AddSingleton<ITemplateEngine>(sp => sp.GetRequiredService<ScribanTemplateEngine>());
        return services;
    }

    public static IServiceCollection AddBotFlowPlugins(this IServiceCollection services)
    {
        services.AddOptions<PluginsOptions>().BindConfiguration(PluginsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PluginCatalog>();
        return services;
    }

    public static IServiceCollection AddBotFlowFlows(this IServiceCollection services)
    {
        services.AddOptions<FlowsOptions>().BindConfiguration(FlowsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<FlowsOptions>>().Value);
        services.AddSingleton<FieldService>();
        services.AddSingleton<FlowValidator>();
        services.AddSingleton<FlowService>();
        services.AddSingleton<Hosts.HostRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<Hosts.HostRegistry>());
        services.AddHostedService<SampleImporter>();
        return services;
    }

    public static IServiceCollection AddBotFlowConversations(this IServiceCollection services)
    {
        services.AddOptions<ConversationsOptions>().BindConfiguration(ConversationsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ConversationRunner>();
        return services;
    }
}
