using System.Text.Json.Nodes;
using BotFlow.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BotFlow.Host.Plugins;

public static class PluginsApi
{
    public sealed record BlockTypeInfo(string Type, string Plugin, string Version, string DisplayName, string? Description, string? Category,
        IReadOnlyList<string> Exits, bool DynamicExits, JsonNode? ConfigSchema);

    public static IEndpointRouteBuilder MapPlugins(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/").WithTags("Plugins");
        group.MapGet("/block-types", ListBlockTypes).RequireAuthorization(Policies.Read).WithSummary("Block types the loaded plugins provide, with their config schema");
        group.MapGet("/plugins", ListPlugins).RequireAuthorization(Policies.Read).WithSummary("Plugins found, loaded or failed with the reason");
        return routes;
    }

    private static Ok<List<BlockTypeInfo>> ListBlockTypes(PluginCatalog catalog) =>
        TypedResults.Ok(catalog.BlockTypes.OrderBy(t => t.Plugin, StringComparer.Ordinal).ThenBy(t => t.Type, StringComparer.Ordinal)
            .Select(t => new BlockTypeInfo(t.Type, t.Plugin, t.Version, t.DisplayName, t.Description, t.Category, t.Exits, t.DynamicExits,
                JsonNode.Parse(t.ConfigSchema.ToString(Newtonsoft.Json.Formatting.None))))
            .ToList());

    private static Ok<IReadOnlyList<PluginInfo>> ListPlugins(PluginCatalog catalog) => TypedResults.Ok(catalog.Plugins);
}
