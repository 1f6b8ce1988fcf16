using BotFlow.Host.Contacts;
using BotFlow.Host.Storage;
using Newtonsoft.Json;
using static BotFlow.Host.Storage.BotFlowDatabase;

namespace BotFlow.Host.Channels;

/// <summary>A configured channel: its type, the flow its contacts talk to, and its settings (secret settings hold secret names).</summary>
public sealed record ChannelRecord(string Id, string Type, string FlowId, IReadOnlyDictionary<string, string> Settings, DateTimeOffset UpdatedAt);

/// <summary>An outgoing message waiting in the outbox.</summary>
public sealed record OutboxMessage(long Id, string ContactId, string Channel, string Text, string? OptionsJson, int Attempts, DateTimeOffset? NextAttemptAt);

/// <summary>Outgoing messages of one channel that are waiting or failed, for the channel list.</summary>
public sealed record ChannelDeliveryCounts(int Pending, int Failed);

public interface IChannelStore
{
    Task<IReadOnlyList<ChannelRecord>> ListAsync(CancellationToken ct);

    Task<ChannelRecord?> GetAsync(string id, CancellationToken ct);

    Task UpsertAsync(ChannelRecord channel, CancellationToken ct);

    Task<bool> DeleteAsync(string id, CancellationToken ct);

    Task<IReadOnlyDictionary<string, ChannelDeliveryCounts>> CountsAsync(CancellationToken ct);

    Task<OutboxMessage?> GetMessageAsync(long id, CancellationToken ct);

    /// <summary>The contact's oldest pending outgoing channel message: the only one that may be delivered next.</summary>
    Task<OutboxMessage?> OldestPendingAsync(string contactId, CancellationToken ct);

    /// <summary>The oldest pending message of every contact that has one (start-up sweep).</summary>
    Task<IReadOnlyList<long>> OldestPendingPerContactAsync(CancellationToken ct);

    Task MarkSentAsync(long id, int attempts, string? providerMessageId, DateTimeOffset now, CancellationToken ct);

    Task MarkRetryAsync(long id, int attempts, string error, DateTimeOffset nextAttemptAt, DateTimeOffset now, CancellationToken ct);

    Task MarkFailedAsync(long id, int attempts, string error, DateTimeOffset now, CancellationToken ct);

    /// <summary>Applies a provider's status callback; statuses only move forward. Returns whether a message changed.</summary>
    Task<bool> ApplyStatusAsync(string channelId, string providerMessageId, string status, string? error, DateTimeOffset now, CancellationToken ct);
}

public sealed class SqlChannelStore(BotFlowDatabase db) : IChannelStore
{
    private const string OutboxColumns = "id, contact_id, channel, text, options, attempts, next_attempt_at";

    public Task<IReadOnlyList<ChannelRecord>> ListAsync(CancellationToken ct) => db.ReadAsync<IReadOnlyList<ChannelRecord>>(async c =>
    {
        var list = new List<ChannelRecord>();
        await using var reader = await Command(c, "select id, type, flow_id, settings, updated_at from channels order by id").ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(ReadChannel(reader));
        }

        return list;
    }, ct);

    public Task<ChannelRecord?> GetAsync(string id, CancellationToken ct) => db.ReadAsync(async c =>
    {
        await using var reader = await Command(c, "select id, type, flow_id, settings, updated_at from channels where id = @id", null, ("@id", id)).ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadChannel(reader) : null;
    }, ct);

    public Task UpsertAsync(ChannelRecord channel, CancellationToken ct) => db.WriteAsync(async (c, tx) =>
        await Command(c,
            "insert into channels (id, type, flow_id, settings, updated_at) values (@id, @t, @f, @s, @u) on conflict(id) do update set type = excluded.type, flow_id = excluded.flow_id, settings = excluded.settings, updated_at = excluded.updated_at",
            tx, ("@id", channel.Id), ("@t", channel.Type), ("@f", channel.FlowId), ("@s", JsonConvert.SerializeObject(channel.Settings)),
            ("@u", SqlValues.Time(channel.UpdatedAt))).ExecuteNonQueryAsync(ct), ct);

    public Task<bool> DeleteAsync(string id, CancellationToken ct) => db.WriteAsync(async (c, tx) =>
        await Command(c, "delete from channels where id = @id", tx, ("@id", id)).ExecuteNonQueryAsync(ct) > 0, ct);

    public Task<IReadOnlyDictionary<string, ChannelDeliveryCounts>> CountsAsync(CancellationToken ct) => db.ReadAsync<IReadOnlyDictionary<string, ChannelDeliveryCounts>>(async c =>
    {
        var counts = new Dictionary<string, ChannelDeliveryCounts>(StringComparer.Ordinal);
        await using var reader = await Command(c,
            "select channel, status, count(*) from messages where direction = 'out' and status in ('pending', 'failed') group by channel, status").ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var current = counts.GetValueOrDefault(reader.GetString(0), new ChannelDeliveryCounts(0, 0));
            var n = Int(reader, 2);
            counts[reader.GetString(0)] = reader.GetString(1) == MessageStatuses.Pending ? current with { Pending = n } : current with { Failed = n };
        }

        return counts;
    }, ct);

    public Task<OutboxMessage?> GetMessageAsync(long id, CancellationToken ct) => db.ReadAsync(async c =>
    {
        await using var reader = await Command(c, $"select {OutboxColumns} from messages where id = @id", null, ("@id", id)).ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadOutbox(reader) : null;
    }, ct);

    public Task<OutboxMessage?> OldestPendingAsync(string contactId, CancellationToken ct) => db.ReadAsync(async c =>
    {
        await using var reader = await Command(c,
            $"select {OutboxColumns} from messages where contact_id = @c and status = 'pending' and direction = 'out' and channel <> 'test' order by id limit 1",
            null, ("@c", contactId)).ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadOutbox(reader) : null;
    }, ct);

    public Task<IReadOnlyList<long>> OldestPendingPerContactAsync(CancellationToken ct) => db.ReadAsync<IReadOnlyList<long>>(async c =>
    {
        var ids = new List<long>();
        await using var reader = await Command(c,
            "select min(id) from messages where status = 'pending' and direction = 'out' and channel <> 'test' group by contact_id order by 1").ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(Long(reader, 0));
        }

        return ids;
    }, ct);

    public Task MarkSentAsync(long id, int attempts, string? providerMessageId, DateTimeOffset now, CancellationToken ct) => db.WriteAsync(async (c, tx) =>
        await Command(c, "update messages set status = @s, attempts = @a, provider_message_id = @p, next_attempt_at = null, updated_at = @u where id = @id and status = 'pending'",
            tx, ("@s", MessageStatuses.Sent), ("@a", attempts), ("@p", providerMessageId), ("@u", SqlValues.Time(now)), ("@id", id)).ExecuteNonQueryAsync(ct), ct);

    public Task MarkRetryAsync(long id, int attempts, string error, DateTimeOffset nextAttemptAt, DateTimeOffset now, CancellationToken ct) => db.WriteAsync(async (c, tx) =>
        await Command(c, "update messages set attempts = @a, error = @e, next_attempt_at = @n, updated_at = @u where id = @id and status = 'pending'",
            tx, ("@a", attempts), ("@e", error), ("@n", SqlValues.Time(nextAttemptAt)), ("@u", SqlValues.Time(now)), ("@id", id)).ExecuteNonQueryAsync(ct), ct);

    public Task MarkFailedAsync(long id, int attempts, string error, DateTimeOffset now, CancellationToken ct) => db.WriteAsync(async (c, tx) =>
        await Command(c, "update messages set status = @s, attempts = @a, error = @e, next_attempt_at = null, updated_at = @u where id = @id and status = 'pending'",
            tx, ("@s", MessageStatuses.Failed), ("@a", attempts), ("@e", error), ("@u", SqlValues.Time(now)), ("@id", id)).ExecuteNonQueryAsync(ct), ct);

    public Task<bool> ApplyStatusAsync(string channelId, string providerMessageId, string status, string? error, DateTimeOffset now, CancellationToken ct)
    {
        // Callbacks arrive out of order (Meta sends read before delivered at times): a status never moves a message back.
        var from = status switch
        {
            MessageStatuses.Delivered => new[] { MessageStatuses.Sent },
            MessageStatuses.Read => [MessageStatuses.Sent, MessageStatuses.Delivered],
            MessageStatuses.Failed => [MessageStatuses.Sent, MessageStatuses.Delivered],
            _ => [],
        };
        if (from.Length == 0)
        {
            return Task.FromResult(false);
        }

        return db.WriteAsync(async (c, tx) => await Command(c,
            $"update messages set status = @s, error = coalesce(@e, error), updated_at = @u where channel = @ch and provider_message_id = @p and status in ({string.Join(", ", from.Select((_, i) => "@f" + i))})",
            tx, [("@s", status), ("@e", error), ("@u", SqlValues.Time(now)), ("@ch", channelId), ("@p", providerMessageId), .. from.Select((f, i) => ("@f" + i, (object?)f))])
            .ExecuteNonQueryAsync(ct) > 0, ct);
    }

    private static ChannelRecord ReadChannel(System.Data.Common.DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), SqlValues.FieldsFromJson(r.GetString(3)), SqlValues.Time(r, 4));

    private static OutboxMessage ReadOutbox(System.Data.Common.DbDataReader r) =>
        new(Long(r, 0), r.GetString(1), r.GetString(2), r.GetString(3), SqlValues.NullableString(r, 4), Int(r, 5), r.IsDBNull(6) ? null : SqlValues.Time(r, 6));
}
