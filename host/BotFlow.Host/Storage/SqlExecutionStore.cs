using BotFlow.Host.Executions;
using BotFlow.Host.Templates;
using BotFlow.Sdk.Executions;
using System.Data.Common;
using Newtonsoft.Json;
using static BotFlow.Host.Storage.BotFlowDatabase;

namespace BotFlow.Host.Storage;

public sealed class SqlExecutionStore(BotFlowDatabase db) : IExecutionStore
{
    public Task AddAsync(IReadOnlyList<ExecutionRecord> records, CancellationToken ct) =>
        records.Count == 0 ? Task.CompletedTask : db.WriteAsync((c, tx) => InsertAsync(c, tx, records, ct), ct);

    internal static async Task InsertAsync(DbConnection c, DbTransaction tx, IReadOnlyList<ExecutionRecord> records, CancellationToken ct)
    {
        foreach (var r in records)
        {
            await ExecuteAsync(c,
                $"""
                insert into executions (id, attempt, kind, flow_id, flow_version, block_id, contact_id, contact_created_at, job_id, started_at, duration_ms, outcome, error, warnings, request, response, idempotency_key)
                values (@id, @a, @k, @f, @v, @b, @c, {ByContact.CreatedAt}, @j, @s, @d, @o, @e, @w, @req, @res, @ik)
                on conflict(id, attempt) do update set outcome = excluded.outcome, error = excluded.error, warnings = excluded.warnings,
                  request = excluded.request, response = excluded.response, duration_ms = excluded.duration_ms, job_id = excluded.job_id
                """,
                tx, ct, ("@id", r.Id), ("@a", r.Attempt), ("@k", r.Kind), ("@f", r.FlowId), ("@v", (object?)r.FlowVersion ?? TypedNull.Int), ("@b", r.BlockId), ("@c", r.ContactId),
                ("@j", r.JobId), ("@s", SqlValues.Time(r.StartedAt)), ("@d", r.DurationMs), ("@o", r.Outcome), ("@e", r.Error),
                ("@w", r.Warnings.Count == 0 ? null : JsonConvert.SerializeObject(r.Warnings)),
                ("@req", r.Request is null ? null : PlainData.ToJson(r.Request)), ("@res", r.Response is null ? null : PlainData.ToJson(r.Response)),
                ("@ik", r.IdempotencyKey));
        }
    }

    public Task<IReadOnlyList<ExecutionRecord>> ListAsync(ExecutionFilter filter, CancellationToken ct) => db.ReadAsync<IReadOnlyList<ExecutionRecord>>(async c =>
    {
        var list = new List<ExecutionRecord>();
        await using var reader = await Command(c,
            """
            select id, attempt, kind, flow_id, flow_version, block_id, contact_id, job_id, started_at, duration_ms, outcome, error, warnings, request, response, idempotency_key
            from executions
            where (@f is null or flow_id = @f) and (@c is null or contact_id = @c) and (@o is null or outcome = @o) and (@id is null or id = @id)
            order by seq desc limit @l
            """,
            null, ("@f", filter.FlowId), ("@c", filter.ContactId), ("@o", filter.Outcome), ("@id", filter.ExecutionId), ("@l", filter.Limit)).ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new ExecutionRecord
            {
                Id = reader.GetString(0),
                Attempt = Int(reader, 1),
                Kind = reader.GetString(2),
                FlowId = SqlValues.NullableString(reader, 3),
                FlowVersion = NullableInt(reader, 4),
                BlockId = SqlValues.NullableString(reader, 5),
                ContactId = SqlValues.NullableString(reader, 6),
                JobId = SqlValues.NullableString(reader, 7),
                StartedAt = SqlValues.Time(reader, 8),
                DurationMs = reader.GetDouble(9),
                Outcome = reader.GetString(10),
                Error = SqlValues.NullableString(reader, 11),
                Warnings = SqlValues.NullableString(reader, 12) is { } w ? JsonConvert.DeserializeObject<List<string>>(w) ?? [] : [],
                Request = SqlValues.NullableString(reader, 13) is { } req ? PlainData.ParseObject(req) : null,
                Response = SqlValues.NullableString(reader, 14) is { } res ? PlainData.ParseObject(res) : null,
                IdempotencyKey = SqlValues.NullableString(reader, 15),
            });
        }

        return list;
    }, ct);
}
