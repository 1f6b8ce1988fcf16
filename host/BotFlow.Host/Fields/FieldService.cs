using System.Text.RegularExpressions;
using BotFlow.Host.Flows;
using BotFlow.Sdk.Fields;

namespace BotFlow.Host.Fields;

/// <summary>Registration fields: the catalog for validation and runs, and the rules for changing it.</summary>
public sealed partial class FieldService(IFieldStore store, IFlowStore flows)
{
    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    public static partial Regex KeyPattern();

    public async Task<FieldCatalog> GetCatalogAsync(CancellationToken ct) => CatalogOf(await store.ListAsync(ct));

    /// <summary>The catalog of field definitions read elsewhere (a conversation step reads them with its other rows).</summary>
    /// <remarks>
    /// Built once per list: the step catalog cache hands every step the same list until fields change, and a catalog
    /// never changes after it is built, so steps share it (keyed weakly, it goes with the list).
    /// </remarks>
    public FieldCatalog CatalogOf(IReadOnlyList<FieldDefinition> definitions) => _catalogs.GetValue(definitions, static d => new FieldCatalog(d));

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<FieldDefinition>, FieldCatalog> _catalogs = new();

    public async Task<IReadOnlyList<FieldDefinition>> ListAsync(CancellationToken ct) => (await GetCatalogAsync(ct)).All.OrderBy(f => f.BuiltIn ? 0 : 1).ThenBy(f => f.Key, StringComparer.Ordinal).ToList();

    public static IReadOnlyList<(string Field, string Message)> Check(string key, string? label, string? type, IReadOnlyList<string>? options)
    {
        var problems = new List<(string, string)>();
        if (!KeyPattern().IsMatch(key))
        {
            problems.Add(("key", "a field key starts with a-z and has up to 64 characters of a-z, 0-9 and '_'"));
        }

        if (key is "name" or "phone")
        {
            problems.Add(("key", $"'{key}' is a built-in field and cannot be changed"));
        }

        if (string.IsNullOrWhiteSpace(label) || label.Length > 200)
        {
            problems.Add(("label", "a label of 1 to 200 characters is required"));
        }

        if (type is null || !FieldTypes.All.Contains(type))
        {
            problems.Add(("type", $"type must be one of {string.Join(", ", FieldTypes.All)}"));
        }

        if (type == FieldTypes.Option && (options is null || options.Count == 0 || options.Any(string.IsNullOrWhiteSpace)))
        {
            problems.Add(("options", "an option field needs a non-empty list of non-empty options"));
        }

        if (type != FieldTypes.Option && options is { Count: > 0 })
        {
            problems.Add(("options", "only fields of type 'option' take options"));
        }

        return problems;
    }

    public Task UpsertAsync(FieldDefinition field, CancellationToken ct) => store.UpsertAsync(field, ct);

    /// <summary>Deletes a field unless a saved flow uses it; returns those flows when refused.</summary>
    public async Task<(bool Deleted, IReadOnlyList<string> UsedBy)> DeleteAsync(string key, CancellationToken ct)
    {
        var usedBy = await flows.FlowsUsingFieldAsync(key, ct);
        if (usedBy.Count > 0)
        {
            return (false, usedBy);
        }

        return (await store.DeleteAsync(key, ct), []);
    }
}
