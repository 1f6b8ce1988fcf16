using BotFlow.Host.Errors;
using BotFlow.Host.Plugins;
using BotFlow.Host.Security;
using BotFlow.Sdk.Secrets;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BotFlow.Host.Secrets;

public static class SecretsApi
{
    public sealed record SecretInput(string? Value);

    public sealed record SecretInfo(string Name, DateTimeOffset UpdatedAt);

    public const int MaxValueLength = 8 * 1024;

    public static IServiceCollection AddBotFlowSecrets(this IServiceCollection services)
    {
        // Keys live in the data folder so a restarted host can still read its secrets.
        services.AddDataProtection().SetApplicationName("BotFlow");
        // With SQLite they live in the data folder; with PostgreSQL in the shared database, so every host reads every secret.
        services.AddOptions<KeyManagementOptions>().Configure<Storage.BotFlowDatabase, ILoggerFactory>((o, db, logs) =>
            o.XmlRepository = db is Storage.PostgresDatabase
                ? new Storage.DatabaseXmlRepository(db)
                : new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(db.DataFolder, "keys")), logs));
        services.AddSingleton<SecretStore>();
        services.AddSingleton<ISecretReader>(sp => sp.GetRequiredService<SecretStore>());
        services.AddSingleton<IPluginServiceContribution, SecretsContribution>();
        return services;
    }

    public static RouteGroupBuilder MapSecrets(this IEndpointRouteBuilder routes)
    {
        var secrets = routes.MapGroup("/secrets").WithTags("Secrets");
        secrets.MapGet("/", List).RequireAuthorization(Policies.Read).WithSummary("Secret names (values are never returned)");
        secrets.MapPut("/{name}", Put).RequireAuthorization(Policies.Admin).WithSummary("Set or replace a secret").Accepts<SecretInput>("application/json");
        secrets.MapDelete("/{name}", Delete).RequireAuthorization(Policies.Admin).WithSummary("Delete a secret");
        return secrets;
    }

    private static async Task<Ok<List<SecretInfo>>> List(SecretStore store, CancellationToken ct) =>
        TypedResults.Ok((await store.ListAsync(ct)).Select(s => new SecretInfo(s.Name, s.UpdatedAt)).ToList());

    private static async Task<Results<NoContent, ProblemHttpResult>> Put(string name, HttpRequest request, SecretStore store, CancellationToken ct)
    {
        if (!SecretStore.NamePattern().IsMatch(name))
        {
            return Problems.Invalid("name", "a secret name starts with a letter or '_' and has up to 64 letters, digits and '_'");
        }

        var (input, problem) = await JsonBody.ReadAsync<SecretInput>(request, ct);
        if (input is null)
        {
            return problem.Value!;
        }

        if (string.IsNullOrEmpty(input.Value) || input.Value.Length > MaxValueLength)
        {
            return Problems.Invalid("value", $"a value of 1 to {MaxValueLength} characters is required");
        }

        await store.SetAsync(name, input.Value, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string name, SecretStore store, CancellationToken ct) =>
        await store.DeleteAsync(name, ct) ? TypedResults.NoContent() : Problems.NotFound($"there is no secret '{name}'");

    private sealed class SecretsContribution(ISecretReader reader) : IPluginServiceContribution
    {
        public void Configure(IServiceCollection pluginServices) => pluginServices.AddSingleton(reader);
    }
}
