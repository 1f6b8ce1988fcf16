using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using BotFlow.Host.Conversations;

namespace BotFlow.Host.Storage;

/// <summary>
/// A PostgreSQL session advisory lock per contact, held on its own connection while the contact's message is handled,
/// so two hosts never interleave one contact's steps. The key is the first 8 bytes of the id's SHA-256 (collisions only
/// serialise two unrelated contacts, never corrupt anything).
/// </summary>
public sealed class PostgresContactLocks(PostgresDatabase database) : IContactLocks
{
    public async ValueTask<IAsyncDisposable> AcquireAsync(string contactId, CancellationToken ct)
    {
        var key = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(contactId)), 0);
        return await database.WithReconnectAsync<IAsyncDisposable>(async () =>
        {
            var connection = await database.OpenLockConnectionAsync(ct);
            try
            {
                await BotFlowDatabase.Command(connection, "select pg_advisory_lock(@k)", null, ("@k", key)).ExecuteNonQueryAsync(ct);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }

            return new Lease(connection, key);
        });
    }

    private sealed class Lease(DbConnection connection, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await BotFlowDatabase.Command(connection, "select pg_advisory_unlock(@k)", null, ("@k", key)).ExecuteNonQueryAsync();
            }
            finally
            {
                // If the unlock failed the session is broken, and a closed session holds no advisory lock.
                await connection.DisposeAsync();
            }
        }
    }
}

/// <summary>Data Protection keys in the shared database, so every host can read every secret and cookie (scale-out.md).</summary>
public sealed class DatabaseXmlRepository(BotFlowDatabase database) : Microsoft.AspNetCore.DataProtection.Repositories.IXmlRepository
{
    public IReadOnlyCollection<System.Xml.Linq.XElement> GetAllElements() =>
        database.ReadAsync<IReadOnlyCollection<System.Xml.Linq.XElement>>(async c =>
        {
            var list = new List<System.Xml.Linq.XElement>();
            await using var reader = await BotFlowDatabase.Command(c, "select xml from data_protection_keys").ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                list.Add(System.Xml.Linq.XElement.Parse(reader.GetString(0)));
            }

            return list;
        }, CancellationToken.None).GetAwaiter().GetResult();

    public void StoreElement(System.Xml.Linq.XElement element, string friendlyName) =>
        database.WriteAsync(async (c, tx) => await BotFlowDatabase.Command(c,
            "insert into data_protection_keys (friendly_name, xml) values (@n, @x) on conflict (friendly_name) do update set xml = excluded.xml", tx,
            ("@n", friendlyName), ("@x", element.ToString(System.Xml.Linq.SaveOptions.DisableFormatting))).ExecuteNonQueryAsync(), CancellationToken.None).GetAwaiter().GetResult();
}
