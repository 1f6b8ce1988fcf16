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

    public Task SetAsync(string name, string value, CancellationToken ct) => db.WriteAsync(async (c, tx) =>
        await Command(c,
            "insert into secrets (name, protected_value, updated_at) values (@n, @v, @t) on conflict(name) do update set protected_value = excluded.protected_value, updated_at = excluded.updated_at",
            tx, ("@n", name), ("@v", _protector.Protect(value)), ("@t", SqlValues.Time(clock.GetUtcNow()))).ExecuteNonQueryAsync(ct), ct);

    public Task<bool> DeleteAsync(string name, CancellationToken ct) => db.WriteAsync(async (c, tx) =>
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

    public async ValueTask<IReadOnlyDictionary<string, string>> ReadAllAsync(CancellationToken cancellationToken) =>
        await db.ReadAsync<IReadOnlyDictionary<string, string>>(async c =>
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

            return map;
        }, cancellationToken);
}
