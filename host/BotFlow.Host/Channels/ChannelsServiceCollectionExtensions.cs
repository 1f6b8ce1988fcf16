using BotFlow.Host.Jobs;

namespace BotFlow.Host.Channels;

public static class ChannelsServiceCollectionExtensions
{
    /// <summary>Configured channels, their webhooks and the outbox that delivers their messages through Hangfire.</summary>
    public static IServiceCollection AddBotFlowChannels(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ChannelsOptions>().BindConfiguration(ChannelsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IChannelStore, SqlChannelStore>();
        services.AddSingleton<ChannelSettingsResolver>();
        services.AddTransient<ChannelJobs>();
        var jobs = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        if (jobs.Enabled)
        {
            services.AddSingleton<IOutboxDispatcher, HangfireOutboxDispatcher>();
            services.AddHostedService<PendingOutboxSweep>();
        }
        else
        {
            services.AddSingleton<IOutboxDispatcher, DisabledOutboxDispatcher>();
        }

        return services;
    }
}
