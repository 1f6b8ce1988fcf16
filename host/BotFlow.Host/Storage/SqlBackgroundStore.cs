using BotFlow.Host.Jobs;
using System.Data.Common;
using Newtonsoft.Json;
using static BotFlow.Host.Storage.BotFlowDatabase;

namespace BotFlow.Host.Storage;

public sealed class SqlBackgroundStore(BotFlowDatabase db, TimeProvider clock) : IBackgroundStore
{
    private const string Columns = "id, kind, flow_id, flow_version, block_id, contact_id, first_attempt, next_attempt, last_attempt, backoff, status, job_id, run_at, error, created_at, updated_at";

    public Task<BackgroundExecution?> GetAsync(string id, CancellationToken ct) => db.ReadAsync(async c => await ReadOneAsync(c, null, id, ct), ct);

    public Task SetJobIdAsync(string id, string jobId, CancellationToken ct) => db.WriteAsync(async (c, tx) =>
        await Command(c, "update background_executions set job_id = @j, updated_at = @u where id = @id", tx, ("@j", jobId), ("@u", SqlValues.Time(clock.GetUtcNow())), ("@id", id))
            .ExecuteNonQueryAsync(ct), ct);

    public Task<BackgroundExecution?> ClaimAttemptAsync(string id, CancellationToken ct) => db.WriteAsync(async (c, tx) =>
    {
        var row = await ReadOneAsync(c, tx, id, ct);
        if (row is not null && row.Status != BackgroundStatuses.Succeeded)
        {
            await Command(c, "update background_executions set next_attempt = next_attempt + 1, status = @s, updated_at = @u where id = @id", tx,
                ("@s", BackgroundStatuses.Pending), ("@u", SqlValues.Time(clock.GetUtcNow())), ("@id", id)).ExecuteNonQueryAsync(ct);
        }

        return row;
    }, ct);

    public Task<IReadOnlyList<BackgroundExecution>> PendingWithoutJobAsync(CancellationToken ct) => db.ReadAsync<IReadOnlyList<BackgroundExecution>>(async c =>
    {
        var list = new List<BackgroundExecution>();
        await using var reader = await Command(c, $"select {Columns} from background_executions where status = 'pending' and job_id is null").ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(Read(reader));
        }

        return list;
    }, ct);

    /// <summary>Inserts or updates rows inside a step's transaction.</summary>
    internal static async Task UpsertAsync(DbConnection c, DbTransaction tx, IReadOnlyList<BackgroundExecution> rows, CancellationToken ct)
    {
        foreach (var r in rows)
        {
            await Command(c,
                $"""
                insert into background_executions ({Columns}) values (@id, @k, @f, @v, @b, @c, @fa, @na, @la, @bo, @s, @j, @r, @e, @ca, @ua)
                on conflict(id) do update set status = excluded.status, error = excluded.error, updated_at = excluded.updated_at,
                  job_id = coalesce(excluded.job_id, background_executions.job_id)
                """,
                tx, ("@id", r.Id), ("@k", r.Kind), ("@f", r.FlowId), ("@v", (object?)r.FlowVersion ?? TypedNull.Int), ("@b", r.BlockId), ("@c", r.ContactId), ("@fa", r.FirstAttempt),
                ("@na", r.NextAttempt), ("@la", r.LastAttempt), ("@bo", JsonConvert.SerializeObject(r.BackoffSeconds)), ("@s", r.Status), ("@j", r.JobId),
                ("@r", r.RunAt is { } at ? SqlValues.Time(at) : null), ("@e", r.Error), ("@ca", SqlValues.Time(r.CreatedAt)), ("@ua", SqlValues.Time(r.UpdatedAt)))
                .ExecuteNonQueryAsync(ct);
        }
    }

    public Task<IReadOnlyList<RecurringIntegration>> ListRecurringAsync(CancellationToken ct) => db.ReadAsync<IReadOnlyList<RecurringIntegration>>(async c =>
    {
        var list = new List<RecurringIntegration>();
        await using var reader = await Command(c, "select id, cron, time_zone, config, updated_at from recurring_integrations order by id").ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new RecurringIntegration(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), SqlValues.Time(reader, 4)));
        }

        return list;
    }, ct);

    public Task<RecurringIntegration?> GetRecurringAsync(string id, CancellationToken ct) => db.ReadAsync(async c =>
    {
        await using var reader = await Command(c, "select id, cron, time_zone, config, updated_at from recurring_integrations where id = @id", null, ("@id", id)).ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new RecurringIntegration(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), SqlValues.Time(reader, 4))
            : null;
    }, ct);

    public Task UpsertRecurringAsync(RecurringIntegration r, CancellationToken ct) => db.WriteAsync(async (c, tx) =>
        await Command(c,
            "insert into recurring_integrations (id, cron, time_zone, config, updated_at) values (@id, @c, @t, @cfg, @u) on conflict(id) do update set cron = excluded.cron, time_zone = excluded.time_zone, config = excluded.config, updated_at = excluded.updated_at",
            tx, ("@id", r.Id), ("@c", r.Cron), ("@t", r.TimeZone), ("@cfg", r.ConfigJson), ("@u", SqlValues.Time(r.UpdatedAt))).ExecuteNonQueryAsync(ct), ct);

    public Task<bool> DeleteRecurringAsync(string id, CancellationToken ct) => db.WriteAsync(async (c, tx) =>
        await Command(c, "delete from recurring_integrations where id = @id", tx, ("@id", id)).ExecuteNonQueryAsync(ct) > 0, ct);

    private static async Task<BackgroundExecution?> ReadOneAsync(DbConnection c, DbTransaction? tx, string id, CancellationToken ct)
    {
        await using var reader = await Command(c, $"select {Columns} from background_executions where id = @id", tx, ("@id", id)).ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    private static BackgroundExecution Read(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), SqlValues.NullableString(r, 2), NullableInt(r, 3), SqlValues.NullableString(r, 4),
        SqlValues.NullableString(r, 5), Int(r, 6), Int(r, 7), Int(r, 8), JsonConvert.DeserializeObject<List<int>>(r.GetString(9)) ?? [],
        r.GetString(10), SqlValues.NullableString(r, 11), r.IsDBNull(12) ? null : SqlValues.Time(r, 12), SqlValues.NullableString(r, 13),
        SqlValues.Time(r, 14), SqlValues.Time(r, 15));
}
