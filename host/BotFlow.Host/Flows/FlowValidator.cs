using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.RegularExpressions;
using BotFlow.Host.Fields;
using BotFlow.Host.Plugins;
using BotFlow.Host.Storage;
using BotFlow.Sdk.Fields;
using BotFlow.Sdk.Templates;
using BotFlow.Sdk.Validation;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Flows;

/// <summary>The outcome of validating a flow document: every error and warning at once and, when valid, the runnable flow.</summary>
public sealed record FlowValidation(
    FlowDocument? Document,
    IReadOnlyList<FlowError> Errors,
    IReadOnlyList<FlowError> Warnings,
    IReadOnlyDictionary<string, CompiledBlock> Blocks,
    IReadOnlyCollection<string> FieldKeys)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Checks a flow document against flow-format.md and each block type's own rules, reporting every problem with its
/// block id and a JSON path inside the block. The same pass deserialises each config, so a valid flow compiles for free.
/// </summary>
public sealed partial class FlowValidator(PluginCatalog plugins, ITemplateEngine templates, FlowsOptions options)
{
    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    public static partial Regex IdPattern();

    [GeneratedRegex(@"\{\{[^}]*\bsecrets\b")]
    private static partial Regex SecretsReference();

    public FlowValidation Validate(JToken root, string? urlId, IFieldCatalog fields, bool checkTemplates = true)
    {
        var errors = new List<FlowError>();
        var warnings = new List<FlowError>();
        var compiled = new Dictionary<string, CompiledBlock>(StringComparer.Ordinal);
        var recordingFields = new RecordingFieldCatalog(fields);

        if (root is not JObject rootObject)
        {
            errors.Add(new FlowError(null, "$", "a flow document must be a JSON object"));
            return new FlowValidation(null, errors, warnings, compiled, []);
        }

        if (rootObject["blocks"] is { } blocksToken && blocksToken.Type != JTokenType.Array)
        {
            errors.Add(new FlowError(null, "blocks", "'blocks' must be an array of blocks"));
            return new FlowValidation(null, errors, warnings, compiled, []);
        }

        foreach (var value in rootObject.Descendants().OfType<JValue>())
        {
            if (value.Type == JTokenType.String && ((string?)value)?.Length > options.MaxStringLength)
            {
                var blockId = value.Path.StartsWith("blocks[", StringComparison.Ordinal) && rootObject.SelectToken(value.Path[..(value.Path.IndexOf(']') + 1)]) is JObject b
                    ? (string?)b["id"] : null;
                errors.Add(new FlowError(blockId, value.Path, $"a string has at most {options.MaxStringLength} characters; this one has {((string)value!).Length}"));
            }
        }

        if (errors.Count > 0)
        {
            return new FlowValidation(null, errors, warnings, compiled, []);
        }

        FlowDocument document;
        try
        {
            document = rootObject.ToObject<FlowDocument>(JsonDefaults.Serializer)!;
        }
        catch (JsonException ex)
        {
            errors.Add(new FlowError(null, "$", ex.Message));
            return new FlowValidation(null, errors, warnings, compiled, []);
        }

        document.Id ??= urlId;
        if (urlId is not null && document.Id != urlId)
        {
            errors.Add(new FlowError(null, "id", $"the document's id '{document.Id}' differs from the id in the URL '{urlId}'"));
        }
        else if (document.Id is null || !IdPattern().IsMatch(document.Id))
        {
            errors.Add(new FlowError(null, "id", "a flow id is 1 to 64 characters of a-z, 0-9, '-' and '_'"));
        }

        if (string.IsNullOrWhiteSpace(document.Name))
        {
            document.Name = document.Id;
        }

        if (document.Blocks.Count > options.MaxBlocks)
        {
            errors.Add(new FlowError(null, "blocks", $"a flow has at most {options.MaxBlocks} blocks; this one has {document.Blocks.Count}"));
            return new FlowValidation(document, errors, warnings, compiled, []);
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < document.Blocks.Count; i++)
        {
            var block = document.Blocks[i];
            if (block is null)
            {
                errors.Add(new FlowError(null, $"blocks[{i}]", "a block must be an object"));
                continue;
            }

            if (block.Id is null || !IdPattern().IsMatch(block.Id))
            {
                errors.Add(new FlowError(block.Id, $"blocks[{i}].id", "a block id is 1 to 64 characters of a-z, 0-9, '-' and '_'"));
                continue;
            }

            if (seen.TryGetValue(block.Id, out var first))
            {
                errors.Add(new FlowError(block.Id, "id", $"duplicate block id '{block.Id}' (blocks[{first}] and blocks[{i}])"));
                continue;
            }

            seen[block.Id] = i;
        }

        foreach (var block in document.Blocks)
        {
            if (block?.Id is null || !IdPattern().IsMatch(block.Id) || compiled.ContainsKey(block.Id) || seen[block.Id] != document.Blocks.IndexOf(block))
            {
                continue;
            }

            ValidateBlock(block, seen, recordingFields, checkTemplates, errors, warnings, compiled);
        }

        if (document.Blocks.Count == 0)
        {
            errors.Add(new FlowError(null, "blocks", "a flow needs at least one block"));
        }
        else if (string.IsNullOrEmpty(document.Start))
        {
            errors.Add(new FlowError(null, "start", "'start' must name the first block"));
        }
        else if (!seen.ContainsKey(document.Start))
        {
            errors.Add(new FlowError(null, "start", $"the start block '{document.Start}' does not exist"));
        }
        else
        {
            foreach (var unreachable in Unreachable(document))
            {
                warnings.Add(new FlowError(unreachable, "", "the block is not reachable from the start block"));
            }
        }

        return new FlowValidation(document, errors, warnings, compiled, recordingFields.Used);
    }

    /// <summary>Validates one block config on its own (the editor's preview and test), with paths relative to the block.</summary>
    public (CompiledBlock? Block, IReadOnlyList<FlowError> Errors, IReadOnlyList<FlowError> Warnings) ValidateBlockConfig(string type, JObject config, IFieldCatalog fields)
    {
        var errors = new List<FlowError>();
        var warnings = new List<FlowError>();
        var compiled = new Dictionary<string, CompiledBlock>(StringComparer.Ordinal);
        var block = new BlockDocument { Id = "preview", Type = type, Config = config };
        ValidateBlock(block, new Dictionary<string, int> { ["preview"] = 0 }, fields, checkTemplates: true, errors, warnings, compiled);
        return (compiled.GetValueOrDefault("preview"), errors, warnings);
    }

    private void ValidateBlock(BlockDocument block, Dictionary<string, int> ids, IFieldCatalog fields, bool checkTemplates,
        List<FlowError> errors, List<FlowError> warnings, Dictionary<string, CompiledBlock> compiled)
    {
        var id = block.Id!;
        var exits = block.EffectiveExits();
        if (block.Next is not null && block.Exits?.ContainsKey(Sdk.Blocks.BlockResult.DefaultExit) == true)
        {
            errors.Add(new FlowError(id, "next", "'next' and 'exits.default' both set; use one"));
        }

        foreach (var (exit, target) in exits)
        {
            if (!ids.ContainsKey(target))
            {
                errors.Add(new FlowError(id, ExitPath(block, exit), $"exit '{exit}' goes to block '{target}', which does not exist"));
            }
        }

        if (string.IsNullOrEmpty(block.Type))
        {
            errors.Add(new FlowError(id, "type", "'type' is required"));
            return;
        }

        if (!plugins.TryGet(block.Type, out var descriptor))
        {
            var known = string.Join(", ", plugins.BlockTypes.Select(t => t.Type).Order(StringComparer.Ordinal));
            errors.Add(new FlowError(id, "type", $"unknown block type '{block.Type}' (loaded types: {known})"));
            return;
        }

        object? config;
        try
        {
            config = (block.Config ?? new JObject()).ToObject(descriptor.ConfigType, JsonDefaults.Serializer);
        }
        catch (JsonException ex)
        {
            errors.Add(new FlowError(id, ConfigPath(ex is JsonSerializationException s ? s.Path : null), ConfigMessage(ex)));
            return;
        }

        if (config is null)
        {
            errors.Add(new FlowError(id, "config", "'config' must be an object"));
            return;
        }

        var before = errors.Count;
        ValidateAnnotations(config, "config", id, errors, depth: 0);
        var context = new BlockValidationContext(id, fields, templates, errors, warnings, checkTemplates);
        try
        {
            descriptor.Block.Validate(config, context);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A plugin's validator is third-party code: its failure is the block's problem, not the host's.
            errors.Add(new FlowError(id, "config", $"the block type's validation failed: {ex.GetType().Name}: {ex.Message}"));
        }

        IReadOnlyList<string> declared;
        try
        {
            declared = descriptor.Block.GetExits(config);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            errors.Add(new FlowError(id, "config", $"the block type could not list its exits: {ex.Message}"));
            return;
        }

        foreach (var exit in exits.Keys)
        {
            if (!declared.Contains(exit))
            {
                var allowed = declared.Count == 0 ? "it has no exits" : "its exits are " + string.Join(", ", declared);
                errors.Add(new FlowError(id, ExitPath(block, exit), $"'{block.Type}' has no exit '{exit}'; {allowed}"));
            }
        }

        if (errors.Count == before)
        {
            compiled[id] = new CompiledBlock(id, descriptor, config, exits);
        }
    }

    private static string ExitPath(BlockDocument block, string exit) =>
        exit == Sdk.Blocks.BlockResult.DefaultExit && block.Next is not null ? "next" : $"exits.{exit}";

    private static string ConfigPath(string? path) => string.IsNullOrEmpty(path) ? "config" : "config." + path;

    private static string ConfigMessage(JsonException ex)
    {
        // Newtonsoft appends "Path 'x', line 1, position 2." — the path is reported separately.
        var message = ex.Message;
        var cut = message.IndexOf(" Path '", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static void ValidateAnnotations(object value, string path, string blockId, List<FlowError> errors, int depth)
    {
        if (depth > 8)
        {
            return;
        }

        var results = new List<ValidationResult>();
        Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var member = result.MemberNames.FirstOrDefault();
            errors.Add(new FlowError(blockId, member is null ? path : $"{path}.{ConfigSchemaGenerator.JsonName(member)}",
                Lower(result.ErrorMessage ?? "is not valid")));
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.PropertyType == typeof(string) || property.PropertyType.IsValueType)
            {
                continue;
            }

            var child = property.GetValue(value);
            var childPath = $"{path}.{ConfigSchemaGenerator.JsonName(property.Name)}";
            if (child is IEnumerable list and not IDictionary and not string)
            {
                var index = 0;
                foreach (var item in list)
                {
                    if (item is not null && !item.GetType().IsValueType && item is not string)
                    {
                        ValidateAnnotations(item, $"{childPath}[{index}]", blockId, errors, depth + 1);
                    }

                    index++;
                }
            }
            else if (child is not null and not IDictionary && child.GetType().Namespace?.StartsWith("System", StringComparison.Ordinal) != true)
            {
                ValidateAnnotations(child, childPath, blockId, errors, depth + 1);
            }
        }
    }

    private static string Lower(string message) => message.Length > 0 && char.IsUpper(message[0]) && !(message.Length > 1 && char.IsUpper(message[1]))
        ? char.ToLowerInvariant(message[0]) + message[1..]
        : message;

    private static IEnumerable<string> Unreachable(FlowDocument document)
    {
        var byId = document.Blocks.Where(b => b?.Id is not null).GroupBy(b => b.Id!).ToDictionary(g => g.Key, g => g.First());
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        queue.Enqueue(document.Start!);
        while (queue.Count > 0)
        {
            var id = queue.Dequeue();
            if (!reached.Add(id) || !byId.TryGetValue(id, out var block))
            {
                continue;
            }

            foreach (var target in block.EffectiveExits().Values)
            {
                queue.Enqueue(target);
            }
        }

        return byId.Keys.Where(id => !reached.Contains(id));
    }

    private sealed class BlockValidationContext(
        string blockId, IFieldCatalog fields, ITemplateEngine templates, List<FlowError> errors, List<FlowError> warnings, bool checkTemplates)
        : IBlockValidationContext
    {
        public string BlockId => blockId;
        public IFieldCatalog Fields => fields;
        public ITemplateEngine Templates => templates;

        public void Error(string path, string message) => errors.Add(new FlowError(blockId, path, message));

        public void Warning(string path, string message) => warnings.Add(new FlowError(blockId, path, message));

        public void CheckTemplate(string path, string? template, bool allowSecrets = false)
        {
            if (!checkTemplates || string.IsNullOrEmpty(template))
            {
                return;
            }

            foreach (var error in templates.Parse(template).Errors)
            {
                Error(path, $"template error at line {error.Line}, column {error.Column}: {error.Message}");
            }

            if (!allowSecrets && SecretsReference().IsMatch(template))
            {
                Error(path, "secrets are not available here: a message must never contain a secret");
            }
        }
    }

    /// <summary>Remembers which fields the blocks looked up, so deleting a field a saved flow uses can be refused.</summary>
    private sealed class RecordingFieldCatalog(IFieldCatalog inner) : IFieldCatalog
    {
        public HashSet<string> Used { get; } = new(StringComparer.Ordinal);
        public IReadOnlyCollection<FieldDefinition> All => inner.All;

        public bool TryGet(string key, out FieldDefinition definition)
        {
            Used.Add(key);
            return inner.TryGet(key, out definition);
        }

        public FieldValueResult Normalize(string key, string? value)
        {
            Used.Add(key);
            return inner.Normalize(key, value);
        }

        public object? ToTyped(string key, string? value) => inner.ToTyped(key, value);
    }
}
