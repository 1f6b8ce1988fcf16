using System.Collections.Concurrent;
using BotFlow.Host.Fields;
using BotFlow.Host.Storage;
using BotFlow.Host.Templates;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Flows;

/// <summary>Saving, validating and compiling flows. Compiled flows are cached by (id, version), which never changes meaning, so every host agrees.</summary>
public sealed class FlowService(IFlowStore store, FlowValidator validator, FieldService fields, Hosts.HostRegistry hosts, ILogger<FlowService> logger)
{
    private readonly ConcurrentDictionary<(string Id, int Version), CompiledFlow> _compiled = new();

    public async Task<FlowValidation> ValidateAsync(JToken document, string? urlId, CancellationToken ct) =>
        validator.Validate(document, urlId, await fields.GetCatalogAsync(ct));

    public async Task<(FlowValidation Validation, StoredFlow? Saved)> SaveAsync(JToken document, string id, CancellationToken ct)
    {
        var validation = await ValidateAsync(document, id, ct);
        if (validation.IsValid && await hosts.CheckAsync(validation.Document!, ct) is { Count: > 0 } missing)
        {
            validation = validation with { Errors = missing };
        }

        if (!validation.IsValid)
        {
            return (validation, null);
        }

        var json = JsonConvert.SerializeObject(validation.Document, Formatting.None, JsonDefaults.Settings);
        var saved = await store.SaveAsync(id, validation.Document!.Name ?? id, json, validation.FieldKeys, ct);
        logger.LogInformation("Saved flow {FlowId} version {Version}", id, saved.Version);
        return (validation, saved);
    }

    /// <summary>The runnable form of a stored version, compiled once per (id, version).</summary>
    public async Task<CompiledFlow?> GetCompiledAsync(string id, int version, CancellationToken ct)
    {
        if (_compiled.TryGetValue((id, version), out var cached))
        {
            return cached;
        }

        var stored = await store.GetVersionAsync(id, version, ct);
        if (stored is null)
        {
            return null;
        }

        var validation = validator.Validate(PlainData.Parse(stored.Document), id, await fields.GetCatalogAsync(ct), checkTemplates: false);
        if (!validation.IsValid)
        {
            // A stored version stops compiling when a plugin disappeared or a field was deleted since the save.
            var problem = validation.Errors[0];
            throw new FlowUnavailableException(id, version, $"block '{problem.BlockId}' at {problem.Path}: {problem.Message}");
        }

        var compiled = new CompiledFlow(id, stored.Name, version, validation.Document!.Start!, validation.Blocks);
        if (_compiled.Count > 1_000)
        {
            _compiled.Clear();
        }

        _compiled[(id, version)] = compiled;
        return compiled;
    }
}

/// <summary>A flow version that can no longer run (its block type's plugin failed to load, say).</summary>
public sealed class FlowUnavailableException(string flowId, int version, string reason)
    : Exception($"Flow '{flowId}' version {version} cannot run: {reason}")
{
    public string FlowId { get; } = flowId;
    public int Version { get; } = version;
    public string Reason { get; } = reason;
}
