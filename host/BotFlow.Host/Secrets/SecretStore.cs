using System.Collections.Frozen;
using System.Text.RegularExpressions;
using BotFlow.Host.Storage;
using BotFlow.Sdk.Secrets;
using Microsoft.AspNetCore.DataProtection;
using static BotFlow.Host.Storage.BotFlowDatabase;

namespace BotFlow.Host.Secrets;

/// <summary>
/// Partner tokens, encrypted at rest with ASP.NET Core Data Protection and referenced by name (<c>{{ secrets.name }}</c>).
/// Values are decrypted only for request templates and never returned by the API.
/// </summary>
public sealed partial class SecretStore(BotFlowDatabase db, IDataProtectionProvider protection, TimeProvider clock) : ISecretReader
{
    private readonly IDataProtector _protector = protection.CreateProtector("BotFlow.Secrets.v1");

    /// <summary>A Scriban identifier, so <c>secrets.name</c> works in templates.</summary>
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    public static partial Regex NamePattern();

    // Secrets are written through WriteCatalogAsync: the step cache keeps the decrypted map under its generation.
    public Task SetAsync(string name, string value, CancellationToken ct) => db.WriteCatalogAsync(async (c, tx) =>
        await Command(c,
            "insert into secrets (name, protected_value, updated_at) values (@n, @v, @t) on conflict(name) do update set protected_value = excluded.protected_value, updated_at = excluded.updated_at",
            tx, ("@n", name), ("@v", _protector.Protect(value)), ("@t", SqlValues.Time(clock.GetUtcNow()))).ExecuteNonQueryAsync(ct), ct);

    public Task<bool> DeleteAsync(string name, CancellationToken ct) => db.WriteCatalogAsync(async (c, tx) =>
        await Command(c, "delete from secrets where name = @n", tx, ("@n", name)).ExecuteNonQueryAsync(ct) > 0, ct);

    public Task<IReadOnlyList<(string Name, DateTimeOffset UpdatedAt)>> ListAsync(CancellationToken ct) => db.ReadAsync<IReadOnlyList<(string, DateTimeOffset)>>(async c =>
    {
        var list = new List<(string, DateTimeOffset)>();
        await using var reader = await Command(c, "select name, updated_at from secrets order by name").ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add((reader.GetString(0), SqlValues.Time(reader, 1)));
        }

        return list;
    }, ct);

    /// <summary>
    /// Every secret, decrypted. Every integration run asks (to render <c>{{ secrets.x }}</c> and to mask all values in
    /// its record), so on SQLite the map is kept under the step cache's generation, which a set or delete moves on:
    /// without it each run paid a pooled connection, a query and a decryption per secret (docs/benchmarks.md). Hosts
    /// sharing PostgreSQL read it every time, so a secret changed on one host is used at once by all.
    /// </summary>
    public async ValueTask<IReadOnlyDictionary<string, string>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var cache = db.StepCache;
        if (cache is not null && cache.TryGetSecrets(out var cached))
        {
            return cached;
        }

        // Read before the database: a change committed during the read leaves the entry stale, never wrong.
        var generation = cache?.Generation ?? 0;
        var map = await db.ReadAsync(async c =>
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            await using var reader = await Command(c, "select name, protected_value from secrets").ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                try
                {
                    map[reader.GetString(0)] = _protector.Unprotect(reader.GetString(1));
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    // A secret encrypted with lost keys is treated as missing: the template then reports it as undefined.
                }
            }

            return map.ToFrozenDictionary(StringComparer.Ordinal);
        }, cancellationToken);
        cache?.SetSecrets(generation, map);
        return map;
    }
}
