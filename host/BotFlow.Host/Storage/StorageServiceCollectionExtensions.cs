using BotFlow.Host.Contacts;
using BotFlow.Host.Conversations;
using BotFlow.Host.Fields;
using BotFlow.Host.Flows;

namespace BotFlow.Host.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the storage provider chosen by <c>BotFlow:Storage:Provider</c> behind the store interfaces.</summary>
    public static IServiceCollection AddBotFlowStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<SqliteSchema>();
        services.AddSingleton<IFlowStore, SqliteFlowStore>();
        services.AddSingleton<IFieldStore, SqliteFieldStore>();
        services.AddSingleton<IContactStore, SqliteContactStore>();
        services.AddSingleton<IConversationStore, SqliteConversationStore>();
        services.AddSingleton<IContactLocks, InProcessContactLocks>();
        services.AddHostedService<StorageStartup>();
        return services;
    }
}

/// <summary>Migrates the schema before anything else serves.</summary>
internal sealed class StorageStartup(SqliteSchema schema) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => schema.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
