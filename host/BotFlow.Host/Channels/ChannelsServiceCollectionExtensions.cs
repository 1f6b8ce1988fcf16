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
        services.AddOptions<EventsOptions>().BindConfiguration(EventsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<HandoffEvents>();
        services.AddSingleton<IEventStore, SqlEventStore>();
        services.AddTransient<EventJobs>();
        var jobs = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        if (jobs.Enabled)
        {
            services.AddSingleton<IOutboxDispatcher, HangfireOutboxDispatcher>();
            services.AddHostedService<PendingOutboxSweep>();
            services.AddSingleton<IEventDispatcher, HangfireEventDispatcher>();
            services.AddHostedService<PendingEventSweep>();
        }
        else
        {
            services.AddSingleton<IOutboxDispatcher, DisabledOutboxDispatcher>();
            services.AddSingleton<IEventDispatcher, DisabledEventDispatcher>();
        }

        return services;
    }
}
