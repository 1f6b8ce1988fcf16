using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Plugins;

/// <summary>
/// A JSON Schema of a block's config type, read from its public properties and BCL data annotations, so the editor
/// can generate a form for any plugin's block without the plugin shipping a schema of its own.
/// </summary>
public static class ConfigSchemaGenerator
{
    public static JObject Generate(Type type) => ForType(type, depth: 0);

    public static string JsonName(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];

    private static JObject ForType(Type type, int depth)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string) || underlying == typeof(Guid) || underlying == typeof(DateTime) || underlying == typeof(DateTimeOffset))
        {
            return new JObject { ["type"] = "string" };
        }

        if (underlying == typeof(TimeSpan))
        {
            return new JObject { ["type"] = "string", ["format"] = "duration" };
        }

        if (underlying == typeof(bool))
        {
            return new JObject { ["type"] = "boolean" };
        }

        if (underlying == typeof(int) || underlying == typeof(long) || underlying == typeof(short))
        {
            return new JObject { ["type"] = "integer" };
        }

        if (underlying == typeof(decimal) || underlying == typeof(double) || underlying == typeof(float))
        {
            return new JObject { ["type"] = "number" };
        }

        if (underlying.IsEnum)
        {
            return new JObject { ["type"] = "string", ["enum"] = new JArray(Enum.GetNames(underlying).Select(JsonName)) };
        }

        if (underlying == typeof(object))
        {
            return new JObject();
        }

        var dictionary = underlying.GetInterfaces().Append(underlying)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() is var d && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>)));
        if (dictionary is not null)
        {
            return new JObject { ["type"] = "object", ["additionalProperties"] = depth > 8 ? new JObject() : ForType(dictionary.GetGenericArguments()[1], depth + 1) };
        }

        if (typeof(IEnumerable).IsAssignableFrom(underlying))
        {
            var element = underlying.IsArray ? underlying.GetElementType()! :
                underlying.GetInterfaces().Append(underlying).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0] ?? typeof(object);
            return new JObject { ["type"] = "array", ["items"] = depth > 8 ? new JObject() : ForType(element, depth + 1) };
        }

        var schema = new JObject { ["type"] = "object" };
        if (depth > 8)
        {
            return schema;
        }

        var properties = new JObject();
        var required = new JArray();
        foreach (var property in underlying.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0))
        {
            var name = JsonName(property.Name);
            var propertySchema = ForType(property.PropertyType, depth + 1);
            var display = property.GetCustomAttribute<DisplayAttribute>();
            if (display?.Name is { } title)
            {
                propertySchema["title"] = title;
            }

            var description = display?.Description ?? property.GetCustomAttribute<DescriptionAttribute>()?.Description;
            if (description is not null)
            {
                propertySchema["description"] = description;
            }

            if (property.GetCustomAttribute<RangeAttribute>() is { } range && range.Minimum is IConvertible && range.Maximum is IConvertible
                && range.OperandType != typeof(TimeSpan))
            {
                propertySchema["minimum"] = JToken.FromObject(range.Minimum);
                propertySchema["maximum"] = JToken.FromObject(range.Maximum);
            }

            if (property.GetCustomAttribute<StringLengthAttribute>() is { } length)
            {
                propertySchema["maxLength"] = length.MaximumLength;
            }

            if (property.GetCustomAttribute<RegularExpressionAttribute>() is { } regex)
            {
                propertySchema["pattern"] = regex.Pattern;
            }

            if (property.GetCustomAttribute<DefaultValueAttribute>() is { Value: { } defaultValue })
            {
                propertySchema["default"] = JToken.FromObject(defaultValue);
            }

            properties[name] = propertySchema;
            if (property.GetCustomAttribute<RequiredAttribute>() is not null)
            {
                required.Add(name);
            }
        }

        schema["properties"] = properties;
        if (required.Count > 0)
        {
            schema["required"] = required;
        }

        return schema;
    }
}
