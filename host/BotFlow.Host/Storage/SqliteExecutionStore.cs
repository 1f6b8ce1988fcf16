using BotFlow.Host.Executions;
using BotFlow.Host.Templates;
using BotFlow.Sdk.Executions;
using Microsoft.Data.Sqlite;
using Newtonsoft.Json;
using static BotFlow.Host.Storage.SqliteDatabase;

namespace BotFlow.Host.Storage;

public sealed class SqliteExecutionStore(SqliteDatabase db) : IExecutionStore
{
    public Task AddAsync(IReadOnlyList<ExecutionRecord> records, CancellationToken ct) =>
        records.Count == 0 ? Task.CompletedTask : db.WriteAsync((c, tx) => InsertAsync(c, tx, records, ct), ct);

    internal static async Task InsertAsync(SqliteConnection c, SqliteTransaction tx, IReadOnlyList<ExecutionRecord> records, CancellationToken ct)
    {
        foreach (var r in records)
        {
            await Command(c,
                """
                insert into executions (id, attempt, kind, flow_id, flow_version, block_id, contact_id, job_id, started_at, duration_ms, outcome, error, warnings, request, response, idempotency_key)
                values ($id, $a, $k, $f, $v, $b, $c, $j, $s, $d, $o, $e, $w, $req, $res, $ik)
                on conflict(id, attempt) do update set outcome = excluded.outcome, error = excluded.error, warnings = excluded.warnings,
                  request = excluded.request, response = excluded.response, duration_ms = excluded.duration_ms, job_id = excluded.job_id
                """,
                tx, ("$id", r.Id), ("$a", r.Attempt), ("$k", r.Kind), ("$f", r.FlowId), ("$v", r.FlowVersion), ("$b", r.BlockId), ("$c", r.ContactId),
                ("$j", r.JobId), ("$s", SqliteValues.Time(r.StartedAt)), ("$d", r.DurationMs), ("$o", r.Outcome), ("$e", r.Error),
                ("$w", r.Warnings.Count == 0 ? null : JsonConvert.SerializeObject(r.Warnings)),
                ("$req", r.Request is null ? null : PlainData.ToJson(r.Request)), ("$res", r.Response is null ? null : PlainData.ToJson(r.Response)),
                ("$ik", r.IdempotencyKey)).ExecuteNonQueryAsync(ct);
        }
    }

    public Task<IReadOnlyList<ExecutionRecord>> ListAsync(ExecutionFilter filter, CancellationToken ct) => db.ReadAsync<IReadOnlyList<ExecutionRecord>>(async c =>
    {
        var list = new List<ExecutionRecord>();
        await using var reader = await Command(c,
            """
            select id, attempt, kind, flow_id, flow_version, block_id, contact_id, job_id, started_at, duration_ms, outcome, error, warnings, request, response, idempotency_key
            from executions
            where ($f is null or flow_id = $f) and ($c is null or contact_id = $c) and ($o is null or outcome = $o) and ($id is null or id = $id)
            order by seq desc limit $l
            """,
            null, ("$f", filter.FlowId), ("$c", filter.ContactId), ("$o", filter.Outcome), ("$id", filter.ExecutionId), ("$l", filter.Limit)).ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new ExecutionRecord
            {
                Id = reader.GetString(0),
                Attempt = reader.GetInt32(1),
                Kind = reader.GetString(2),
                FlowId = SqliteValues.NullableString(reader, 3),
                FlowVersion = reader.IsDBNull(4) ? null : reader.GetInt32(4),
                BlockId = SqliteValues.NullableString(reader, 5),
                ContactId = SqliteValues.NullableString(reader, 6),
                JobId = SqliteValues.NullableString(reader, 7),
                StartedAt = SqliteValues.Time(reader, 8),
                DurationMs = reader.GetDouble(9),
                Outcome = reader.GetString(10),
                Error = SqliteValues.NullableString(reader, 11),
                Warnings = SqliteValues.NullableString(reader, 12) is { } w ? JsonConvert.DeserializeObject<List<string>>(w) ?? [] : [],
                Request = SqliteValues.NullableString(reader, 13) is { } req ? PlainData.ParseObject(req) : null,
                Response = SqliteValues.NullableString(reader, 14) is { } res ? PlainData.ParseObject(res) : null,
                IdempotencyKey = SqliteValues.NullableString(reader, 15),
            });
        }

        return list;
    }, ct);
}
