using BotFlow.Host.Contacts;
using BotFlow.Host.Conversations;
using BotFlow.Host.Fields;
using BotFlow.Host.Flows;

namespace BotFlow.Host.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the storage provider chosen by <c>BotFlow:Storage:Provider</c> behind the store interfaces.</summary>
    public static IServiceCollection AddBotFlowStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var provider = configuration[$"{StorageOptions.Section}:Provider"] ?? StorageOptions.Sqlite;
        if (provider == StorageOptions.PostgreSql)
        {
            services.AddSingleton<PostgresDatabase>();
            services.AddSingleton<BotFlowDatabase>(sp => sp.GetRequiredService<PostgresDatabase>());
            // Hosts share the database, so a contact's lock must live there too.
            services.AddSingleton<IContactLocks, PostgresContactLocks>();
        }
        else
        {
            services.AddSingleton<SqliteDatabase>();
            services.AddSingleton<BotFlowDatabase>(sp => sp.GetRequiredService<SqliteDatabase>());
            // One host owns a SQLite file (Hangfire's SQLite storage allows no more), so its process-wide lock is the database's.
            services.AddSingleton<IContactLocks, InProcessContactLocks>();
        }

        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<IFlowStore, SqlFlowStore>();
        services.AddSingleton<IFieldStore, SqlFieldStore>();
        services.AddSingleton<IContactStore, SqlContactStore>();
        services.AddSingleton<IConversationStore, SqlConversationStore>();
        services.AddHostedService<StorageStartup>();
        return services;
    }
}

/// <summary>Migrates the schema before anything else serves.</summary>
internal sealed class StorageStartup(SchemaMigrator schema) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => schema.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
