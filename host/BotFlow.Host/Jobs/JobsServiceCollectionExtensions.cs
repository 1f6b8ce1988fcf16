using BotFlow.Host.Storage;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>Hangfire with BotFlow's settings (hardening.md): SQLite storage in its own file, 5-minute invisibility, 1 s polling, BotFlow's retry schedule.</summary>
    public static IServiceCollection AddBotFlowJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateDataAnnotations()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "BotFlow:Jobs:TimeZone is not a known time zone.")
            .ValidateOnStart();
        services.AddSingleton<IBackgroundStore, SqlBackgroundStore>();
        services.AddOptions<Contacts.RetentionOptions>().BindConfiguration(Contacts.RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddTransient<Contacts.RetentionJob>();
        services.AddTransient<IntegrationJobs>();
        services.AddHostedService<PendingBackgroundSweep>();

        var jobs = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        if (!jobs.Enabled)
        {
            services.AddSingleton<IBackgroundScheduler, DisabledBackgroundScheduler>();
            return services;
        }

        services.AddSingleton<IBackgroundScheduler, HangfireBackgroundScheduler>();
        services.AddHangfire((sp, config) =>
        {
            var options = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
            var database = sp.GetRequiredService<BotFlowDatabase>();
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            if ((options.Storage ?? database.Provider) == StorageOptions.PostgreSql)
            {
                var connectionString = (database as PostgresDatabase)?.ConnectionString
                                       ?? sp.GetRequiredService<IConfiguration>().GetConnectionString("Hangfire")
                                       ?? throw new InvalidOperationException("BotFlow:Jobs:Storage is PostgreSql but no PostgreSQL connection string is configured.");
                // hardening.md: sliding invisibility, so a long try is never taken twice and a dead host's try returns soon.
                config.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new Hangfire.PostgreSql.PostgreSqlStorageOptions
                {
                    SchemaName = options.PostgresSchema,
                    QueuePollInterval = options.QueuePollInterval,
                    InvisibilityTimeout = options.InvisibilityTimeout,
                    UseSlidingInvisibilityTimeout = true,
                    PrepareSchemaIfNecessary = true,
                });
            }
            else
            {
                config.UseSQLiteStorage(Path.Combine(database.DataFolder, options.SqliteFile), new SQLiteStorageOptions
                {
                    QueuePollInterval = options.QueuePollInterval,
                    InvisibilityTimeout = options.InvisibilityTimeout,
                    DistributedLockLifetime = TimeSpan.FromSeconds(30),
                    JobExpirationCheckInterval = TimeSpan.FromMinutes(15),
                });
            }
        });
        services.AddHangfireServer((sp, server) =>
        {
            var options = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
            server.WorkerCount = options.WorkerCount;
            server.SchedulePollingInterval = options.SchedulePollingInterval;
            server.ServerName = $"botflow-{Environment.MachineName}-{Environment.ProcessId}";
            // Running tries get the host's 30 s shutdown to finish; the rest return to the queue.
            server.ShutdownTimeout = TimeSpan.FromSeconds(25);
            server.StopTimeout = TimeSpan.FromSeconds(25);
        });
        services.AddSingleton<DashboardAuthorization>();
        services.AddHostedService<RecurringJobsSync>();
        return services;
    }

    public static IEndpointRouteBuilder MapBotFlowJobs(this IEndpointRouteBuilder routes)
    {
        var options = routes.ServiceProvider.GetRequiredService<IOptions<JobsOptions>>().Value;
        if (options.Enabled)
        {
            var authorization = routes.ServiceProvider.GetRequiredService<DashboardAuthorization>();
            routes.MapHangfireDashboard("/hangfire", new DashboardOptions
            {
                Authorization = [authorization],
                IsReadOnlyFunc = DashboardAuthorization.IsReadOnly,
                DisplayStorageConnectionString = false,
                DashboardTitle = "BotFlow jobs",
                AppPath = "/",
            }).AllowAnonymous(); // the dashboard's own filter decides (basic auth), see DashboardAuthorization
        }

        return routes;
    }
}

/// <summary>The recurring table is the truth: at start every stored recurring integration is (re)registered with Hangfire.</summary>
internal sealed class RecurringJobsSync(IBackgroundStore store, IRecurringJobManager manager, IOptions<Contacts.RetentionOptions> retention,
    IOptions<JobsOptions> jobs, ILogger<RecurringJobsSync> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        manager.AddOrUpdate<Contacts.RetentionJob>(Contacts.RetentionJob.RecurringId, j => j.RunAsync(CancellationToken.None), retention.Value.Cron,
            new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(jobs.Value.TimeZone) });
        foreach (var recurring in await store.ListRecurringAsync(ct))
        {
            manager.AddOrUpdate<IntegrationJobs>("recurring:" + recurring.Id, j => j.RunRecurringAsync(recurring.Id, null, CancellationToken.None), recurring.Cron,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(recurring.TimeZone) });
        }

        logger.LogDebug("Recurring integrations registered");
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
