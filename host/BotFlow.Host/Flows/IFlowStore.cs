namespace BotFlow.Host.Flows;

/// <summary>A saved flow version: the document exactly as validated and stored.</summary>
public sealed record StoredFlow(string Id, string Name, int Version, string Document, DateTimeOffset UpdatedAt);

/// <summary>Flow documents and every version a conversation may still be running on.</summary>
public interface IFlowStore
{
    Task<StoredFlow?> GetAsync(string id, CancellationToken ct);

    /// <summary>The latest version number only (a conversation step needs no document: compiled versions are cached).</summary>
    Task<int?> GetLatestVersionAsync(string id, CancellationToken ct);

    /// <summary>A specific version, kept after newer saves and after delete, for conversations that started on it.</summary>
    Task<StoredFlow?> GetVersionAsync(string id, int version, CancellationToken ct);

    Task<IReadOnlyList<StoredFlow>> ListAsync(CancellationToken ct);

    /// <summary>Stores a new version and records which registration fields it uses.</summary>
    Task<StoredFlow> SaveAsync(string id, string name, string document, IReadOnlyCollection<string> fieldKeys, CancellationToken ct);

    Task<bool> DeleteAsync(string id, CancellationToken ct);

    /// <summary>The saved flows that use the field <paramref name="fieldKey"/>.</summary>
    Task<IReadOnlyList<string>> FlowsUsingFieldAsync(string fieldKey, CancellationToken ct);

    Task<bool> AnyAsync(CancellationToken ct);
}
