using System.Collections.Concurrent;
using BotFlow.Sdk.Fields;

namespace BotFlow.Host.Storage;

/// <summary>
/// What every conversation step reads and admins rarely change — a flow's latest version and the field catalog — kept
/// in memory under a generation number that the stores move on after each committed change to flows or fields. An
/// entry read under an older generation is read again, so a step never runs on a catalog older than the last change.
/// Only the SQLite provider has one (its file belongs to one process, so every change goes through these stores);
/// hosts sharing PostgreSQL read both every step. Measured: 7% less CPU per boleto step (docs/benchmarks.md).
/// </summary>
public sealed class StepCatalogCache
{
    // Flow ids come from request paths: only existing flows are kept, and the map starts over past this size.
    private const int MaxFlows = 10_000;

    private long _generation;
    private Entry<IReadOnlyList<FieldDefinition>>? _fields;
    private readonly ConcurrentDictionary<string, Entry<int>> _flows = new(StringComparer.Ordinal);

    private sealed record Entry<T>(long Generation, T Value);

    /// <summary>Read before the database, passed back to <c>Set…</c>: a change committed in between makes the entry stale at once.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Flows or fields changed (called after the write, committed or not).</summary>
    public void Changed() => Interlocked.Increment(ref _generation);

    public bool TryGetFields(out IReadOnlyList<FieldDefinition> fields)
    {
        var entry = Volatile.Read(ref _fields);
        fields = entry?.Value ?? [];
        return entry is not null && entry.Generation == Generation;
    }

    public void SetFields(long generation, IReadOnlyList<FieldDefinition> fields) => Volatile.Write(ref _fields, new Entry<IReadOnlyList<FieldDefinition>>(generation, fields));

    public bool TryGetFlowVersion(string flowId, out int version)
    {
        version = 0;
        if (!_flows.TryGetValue(flowId, out var entry) || entry.Generation != Generation)
        {
            return false;
        }

        version = entry.Value;
        return true;
    }

    public void SetFlowVersion(long generation, string flowId, int? version)
    {
        if (version is not { } value)
        {
            _flows.TryRemove(flowId, out _);
            return;
        }

        if (_flows.Count >= MaxFlows)
        {
            _flows.Clear();
        }

        _flows[flowId] = new Entry<int>(generation, value);
    }
}
