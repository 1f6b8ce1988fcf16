using BotFlow.Host.Fields;
using BotFlow.Host.Plugins;
using BotFlow.Host.Templates;
using BotFlow.Sdk.Fields;
using Microsoft.Extensions.Options;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Flows;

/// <summary>
/// Loads the plugins, then on a database with no flow yet imports the sample fields and flows so a new user sees them.
/// A sample that does not validate (its block type's plugin is missing) is skipped with a warning, never fatal.
/// </summary>
internal sealed class SampleImporter(
    PluginCatalog plugins, IFlowStore flows, FieldService fields, FlowService flowService, IOptions<FlowsOptions> options, ILogger<SampleImporter> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        plugins.EnsureLoaded();
        if (!options.Value.ImportSamples || await flows.AnyAsync(ct))
        {
            return;
        }

        var folder = options.Value.SamplesFolder is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(AppContext.BaseDirectory, "samples", "flows");
        if (!Directory.Exists(folder))
        {
            logger.LogInformation("No sample folder at {Folder}; starting empty", folder);
            return;
        }

        var fieldsFile = Path.Combine(folder, "fields.json");
        if (File.Exists(fieldsFile))
        {
            foreach (var field in PlainData.Parse(await File.ReadAllTextAsync(fieldsFile, ct)).Children<JObject>())
            {
                var key = (string?)field["key"] ?? "";
                var definition = new FieldDefinition(key, (string?)field["label"] ?? key, (string?)field["type"] ?? FieldTypes.Text,
                    field["options"]?.ToObject<List<string>>());
                if (FieldService.Check(definition.Key, definition.Label, definition.Type, definition.Options).Count == 0)
                {
                    await fields.UpsertAsync(definition, ct);
                }
            }
        }

        foreach (var file in Directory.GetFiles(folder, "*.flow.json").Order(StringComparer.Ordinal))
        {
            var document = PlainData.Parse(await File.ReadAllTextAsync(file, ct));
            var id = (string?)document["id"] ?? Path.GetFileName(file).Replace(".flow.json", "", StringComparison.Ordinal);
            var (validation, saved) = await flowService.SaveAsync(document, id, ct);
            if (saved is null)
            {
                logger.LogWarning("Sample flow {File} was not imported: {Problems}", file, string.Join("; ", validation.Errors.Select(e => $"{e.BlockId} {e.Path}: {e.Message}")));
            }
            else
            {
                logger.LogInformation("Imported sample flow {FlowId}", id);
            }
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
