using BotFlow.Sdk.Fields;

namespace BotFlow.Host.Fields;

/// <summary>The account's registration fields.</summary>
public interface IFieldStore
{
    Task<IReadOnlyList<FieldDefinition>> ListAsync(CancellationToken ct);

    Task UpsertAsync(FieldDefinition field, CancellationToken ct);

    Task<bool> DeleteAsync(string key, CancellationToken ct);
}
