using BotFlow.Sdk.Data;
using BotFlow.Sdk.Fields;

namespace BotFlow.Host.Fields;

/// <summary>The account's fields as loaded for one request or step.</summary>
public sealed class FieldCatalog : IFieldCatalog
{
    public static readonly FieldDefinition Name = new("name", "Nome", FieldTypes.Text, null, BuiltIn: true);
    public static readonly FieldDefinition Phone = new("phone", "Telefone", FieldTypes.Phone, null, BuiltIn: true);

    private readonly Dictionary<string, FieldDefinition> _fields;

    public FieldCatalog(IEnumerable<FieldDefinition> fields)
    {
        _fields = new Dictionary<string, FieldDefinition>(StringComparer.Ordinal) { [Name.Key] = Name, [Phone.Key] = Phone };
        foreach (var field in fields)
        {
            _fields[field.Key] = field;
        }
    }

    public IReadOnlyCollection<FieldDefinition> All => _fields.Values;

    public bool TryGet(string key, out FieldDefinition definition) => _fields.TryGetValue(key, out definition!);

    public FieldValueResult Normalize(string key, string? value) =>
        _fields.TryGetValue(key, out var field)
            ? FieldValueNormalizer.Normalize(field, value)
            : FieldValueResult.Invalid($"there is no registration field '{key}'");

    public object? ToTyped(string key, string? value) =>
        _fields.TryGetValue(key, out var field) ? FieldValueNormalizer.ToTyped(field, value) : value;

    public PlainMap TypedFields(IReadOnlyDictionary<string, string> values) =>
        PlainMap.FromStrings(values, this, static (catalog, key, value) => catalog.ToTyped(key, value));
}
