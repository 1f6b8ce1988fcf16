using System.Globalization;
using System.Text;
using BotFlow.Host.Storage;
using BotFlow.Sdk.Data;
using Newtonsoft.Json;

namespace BotFlow.Host.Templates;

/// <summary>
/// Compact JSON of plain data written straight into a reused builder. The text is the one Newtonsoft's
/// <see cref="JsonTextWriter"/> gives for the same values (its escaping, its number formats; a theory test compares
/// them), so stored rows read back exactly as before. It exists because a step writes several small documents (the
/// conversation's variables and partner response, the execution record's request and response, the contact's fields)
/// and a writer, its position stack and a <see cref="StringWriter"/> per document were about 7 KB of the boleto step's
/// allocation (docs/benchmarks.md).
/// </summary>
internal static class PlainJsonWriter
{
    private const int MaxCachedCapacity = 64 * 1024;

    [ThreadStatic]
    private static StringBuilder? t_cached;

    /// <summary>A cleared builder for this thread; give it back with <see cref="ToStringAndReturn"/>.</summary>
    public static StringBuilder Rent()
    {
        var builder = t_cached ?? new StringBuilder(256);
        t_cached = null;
        return builder.Clear();
    }

    public static string ToStringAndReturn(StringBuilder builder)
    {
        var text = builder.ToString();
        if (builder.Capacity <= MaxCachedCapacity)
        {
            t_cached = builder;
        }

        return text;
    }

    public static string ToJson(object? value)
    {
        var builder = Rent();
        Write(builder, value);
        return ToStringAndReturn(builder);
    }

    public static void Write(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case string s:
                WriteString(builder, s);
                break;
            case long l:
                WriteInteger(builder, l);
                break;
            case int i:
                // An execution record's HTTP status is an int: it took the serializer's way below on every step.
                WriteInteger(builder, i);
                break;
            case decimal d:
                builder.Append(JsonConvert.ToString(d));
                break;
            case bool b:
                builder.Append(b ? "true" : "false");
                break;
            case double f when double.IsFinite(f):
                builder.Append(JsonConvert.ToString(f));
                break;
            case IReadOnlyDictionary<string, object?> map:
                WriteObject(builder, map);
                break;
            case RawJson raw:
                WriteRaw(builder, raw.Utf8.Span);
                break;
            case List<object?> list:
                builder.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    Write(builder, list[i]);
                }

                builder.Append(']');
                break;
            default:
                // Anything else (and NaN or infinity, written as strings) the way the serializer always wrote it.
                using (var writer = new JsonTextWriter(new StringWriter(builder, CultureInfo.InvariantCulture)) { Formatting = Formatting.None, ArrayPool = JsonDefaults.CharPool })
                {
                    JsonDefaults.Serializer.Serialize(writer, value);
                }

                break;
        }
    }

    /// <summary>JSON already written (an integration's request body as sent), decoded into the builder as it is.</summary>
    private static void WriteRaw(StringBuilder builder, ReadOnlySpan<byte> utf8)
    {
        var chars = System.Buffers.ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(utf8.Length));
        try
        {
            builder.Append(chars, 0, Encoding.UTF8.GetChars(utf8, chars));
        }
        finally
        {
            System.Buffers.ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static void WriteInteger(StringBuilder builder, long value)
    {
        Span<char> digits = stackalloc char[24];
        value.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        builder.Append(digits[..written]);
    }

    /// <summary>An object of text values (a contact's fields).</summary>
    public static string ToJson(IReadOnlyDictionary<string, string> map)
    {
        var builder = Rent();
        WriteObject(builder, map);
        return ToStringAndReturn(builder);
    }

    private static void WriteObject<TValue>(StringBuilder builder, IEnumerable<KeyValuePair<string, TValue>> map)
    {
        builder.Append('{');
        var first = true;
        foreach (var (key, item) in map)
        {
            if (!first)
            {
                builder.Append(',');
            }

            first = false;
            WriteString(builder, key);
            builder.Append(':');
            Write(builder, item);
        }

        builder.Append('}');
    }

    public static void WriteString(StringBuilder builder, string value)
    {
        builder.Append('"');
        var rest = value.AsSpan();
        int at;
        while ((at = JsonStringEscapes.IndexOfEscaped(rest)) >= 0)
        {
            builder.Append(rest[..at]).Append(JsonStringEscapes.Escape(rest[at]));
            rest = rest[(at + 1)..];
        }

        builder.Append(rest).Append('"');
    }
}
